export {
  ACCOUNT_RKEY,
  type DeclarationContext,
  type DeclarationErrorCode,
  type DeclarationRecord,
  InvalidDeclarationError,
  SCOPE_TYPES,
  scopes,
  splitRecordUri,
  type ValidDeclaration,
  validateDeclaration,
} from './declaration.js'
export { lexicons, schemas } from './generated/lexicons.js'
export * as AiDonottrainCheckSubjects from './generated/types/ai/donottrain/checkSubjects.js'
export * as AiDonottrainDeclaration from './generated/types/ai/donottrain/declaration.js'
export * as AiDonottrainDefs from './generated/types/ai/donottrain/defs.js'
export * as AiDonottrainGetProof from './generated/types/ai/donottrain/getProof.js'
export * as AiDonottrainGetStatus from './generated/types/ai/donottrain/getStatus.js'
export * as AiDonottrainListDeclarations from './generated/types/ai/donottrain/listDeclarations.js'
export * as AiDonottrainLogDefs from './generated/types/ai/donottrain/log/defs.js'
export * as AiDonottrainLogGetCheckpoint from './generated/types/ai/donottrain/log/getCheckpoint.js'
export * as AiDonottrainLogGetConsistencyProof from './generated/types/ai/donottrain/log/getConsistencyProof.js'
export * as AiDonottrainLogGetEntries from './generated/types/ai/donottrain/log/getEntries.js'
export * as AiDonottrainLogGetInclusionProof from './generated/types/ai/donottrain/log/getInclusionProof.js'
export * as AiDonottrainSubscribeDeclarations from './generated/types/ai/donottrain/subscribeDeclarations.js'
export * as ComAtprotoRepoStrongRef from './generated/types/com/atproto/repo/strongRef.js'
export * as CommunityLexiconPreferenceAi from './generated/types/community/lexicon/preference/ai.js'
export * as OrgUserIntentsDemoDeclaration from './generated/types/org/user-intents/demo/declaration.js'
export { InvalidLexiconDocError, parseLexiconDocStrict } from './lexicon-doc.js'
export { bskyIds, ids } from './nsid.js'
export { InvalidOriginError, parseOrigin } from './origin.js'
export {
  DONOTTRAIN_TAG,
  hasDonottrainTagInText,
  isDonottrainTag,
  mapForeignPreferences,
  PREFERENCE_AI_MAPPING,
  postHasDonottrainTag,
  preferenceAiScope,
  USER_INTENTS_MAPPING,
} from './reading.js'
export { RENDERING_TABLE, type Renderings, renderVerdict } from './render.js'
export { err, ok, type Result } from './result.js'
export {
  type ActorRef,
  InvalidSubjectError,
  MAX_SUBJECT_LENGTH,
  parseSubject,
  type Subject,
  type SubjectKind,
} from './subject.js'
export {
  isValidAtUri,
  isValidDatetime,
  isValidDid,
  isValidHandle,
  isValidNsid,
  isValidRecordKey,
  isValidTid,
  normalizeHandle,
} from './syntax.js'
export {
  appliesTo,
  combinePreferences,
  isPurpose,
  type Preference,
  type Preferences,
  PURPOSES,
  type Purpose,
  readPreference,
  type Scope,
  type ScopedDeclaration,
  type Verdict,
  type VerdictSubject,
  type VerdictValue,
  verdictFor,
} from './verdict.js'
