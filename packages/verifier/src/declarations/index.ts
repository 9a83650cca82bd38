// The reading rules for tags and foreign records live in @donottrain/lexicon, shared with the indexer.
export {
  hasDonottrainTagInText,
  PREFERENCE_AI_MAPPING,
  postHasDonottrainTag,
  USER_INTENTS_MAPPING,
} from '@donottrain/lexicon'
export { DeclarationReadError, type DeclarationReadErrorCode } from './errors.js'
export {
  DECLARATION_COLLECTIONS,
  type DeclarationSource,
  declarationFromRecord,
  type RecordDeclaration,
  type RecordLocation,
} from './from-record.js'
export { samePreferences, sameScope, scopeFromView } from './view.js'
