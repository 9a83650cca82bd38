export { DonottrainClient, type PasswordKind, passwordKindOf } from './client.js'
export type { DeclareInput, DeclareResult } from './declare.js'
export {
  AccountDeactivatedError,
  type AccountStatus,
  AppPasswordRequiredError,
  AuthFactorTokenRequiredError,
  type ClientErrorCode,
  DonottrainClientError,
  ForeignRecordError,
  IdentityNotFoundError,
  InvalidCredentialsError,
  InvalidInputError,
  InvalidOriginError,
  InvalidPurposeError,
  isClientError,
  OriginNotBoundError,
  type OriginNotBoundReason,
  PdsRequestError,
  PdsUnreachableError,
  RecordNotFoundError,
  SessionExpiredError,
  SwapConflictError,
} from './errors.js'
export { FEED_RKEY, type FeedGeneratorInput, type FeedGeneratorResult } from './feed.js'
export {
  DONOTTRAIN_TAG,
  donottrainTagRanges,
  hasDonottrainTag,
  withDonottrainTag,
  withoutDonottrainTag,
} from './hashtag.js'
export {
  type DeclarationEntry,
  type DeclarationList,
  type InvalidDeclarationEntry,
  MAX_DECLARATIONS,
  type ValidDeclarationEntry,
} from './list.js'
export {
  checkOriginBinding,
  type OriginBinding,
  type OriginCheckOptions,
  WELL_KNOWN_MAX_BYTES,
} from './origin.js'
export { POST_MAX_GRAPHEMES, type PostOptions, type PostResult } from './post.js'
export { DEFAULT_PREFERENCES, normalizePreferences, type PreferencesInput } from './preferences.js'
export type { ProfileTagResult } from './profile.js'
export {
  createIdentityResolver,
  type IdentityResolver,
  type IdentityResolverOptions,
  type ResolvedActor,
  type ResolvedDid,
  resolveActor,
} from './resolve.js'
export type { RevokeResult, RevokeTarget } from './revoke.js'
export type { ScopeInput } from './scope-input.js'
export { type ClientOptions, type LoginOptions, login, resumeSession, type StoredSession } from './session.js'
export {
  type DeclarationSource,
  type StatusDeclaration,
  type StatusOptions,
  type StatusResult,
  type StatusSubject,
  status,
} from './status.js'
