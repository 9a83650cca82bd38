export {
  Checker,
  type CheckerOptions,
  type CheckerResolver,
  type CheckOptions,
  DEFAULT_CHECK_CACHE_SIZE,
  DEFAULT_CHECK_CACHE_TTL_MS,
} from './checker.js'
export { CheckError, type CheckErrorCode } from './errors.js'
export { IndexerError, type IndexerErrorCode, MAX_CHECK_BATCH } from './indexer-client.js'
export { verifyOriginBinding } from './origin-binding.js'
export { type AccountResolver, type ResolvedAccount, resolveAccount } from './resolve-account.js'
export type {
  CheckBasis,
  CheckedDeclaration,
  CheckedSubject,
  Evaluation,
  FailMode,
  IndexerStatement,
  OriginBinding,
  ProvenAbsence,
  ProvenDeclaration,
  SubjectCheck,
} from './types.js'
export { type DistrustCode, DistrustError } from './verify-status.js'
