export { DeclarationReadError, type DeclarationReadErrorCode } from './errors.js'
export { PREFERENCE_AI_MAPPING, USER_INTENTS_MAPPING } from './foreign.js'
export {
  DECLARATION_COLLECTIONS,
  type DeclarationSource,
  declarationFromRecord,
  type RecordDeclaration,
  type RecordLocation,
} from './from-record.js'
export { hasDonottrainTagInText, postHasDonottrainTag } from './hashtag.js'
export { samePreferences, sameScope, scopeFromView } from './view.js'
