export { findAtprotoMethod, getAtprotoKey, getHandle, getPdsEndpoint } from './atproto-fields.js'
export {
  DID_DOCUMENT_LIMITS,
  type DidDocument,
  type DidService,
  decodeDidDocument,
  parseDidDocument,
  type VerificationMethod,
} from './did-document.js'
export {
  DEFAULT_DID_CACHE_SIZE,
  DEFAULT_DID_FAILURE_TTL_MS,
  DEFAULT_DID_TTL_MS,
  DEFAULT_PLC_URL,
  DidResolver,
  type DidResolverOptions,
  didDocumentUrl,
  type KeyResolver,
  type ResolveOptions,
} from './did-resolver.js'
export {
  type FetchFailedCode,
  FetchFailedError,
  FetchTimeoutError,
  HttpStatusError,
  ResponseTooLargeError,
  redactUrl,
  type SafeFetchError,
  type SsrfBlockedCode,
  SsrfBlockedError,
} from './fetch-errors.js'
export { GuardedFetch } from './guarded-fetch.js'
export type { HostResolver, ResolvedAddress } from './guarded-lookup.js'
export {
  checkHandle,
  DEFAULT_DNS_TIMEOUT_MS,
  didFromTxt,
  type HandleErrorCode,
  HandleResolveError,
  HandleResolver,
  type HandleResolverOptions,
  type TxtResolver,
  type VerifiedHandle,
  type VerifyHandleDeps,
  verifyHandle,
} from './handle-resolver.js'
export {
  type AddressClass,
  type AddressKind,
  type AddressPolicy,
  classifyAddress,
  isAllowedAddress,
} from './ip-range.js'
export { ResolveError, type ResolveErrorCode } from './resolve-error.js'
export {
  checkFetchUrl,
  DEFAULT_FETCH_TIMEOUT_MS,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_MAX_RESPONSE_BYTES,
  type SafeFetch,
  SafeFetcher,
  type SafeFetchInit,
  type SafeFetchOptions,
  type SafeResponse,
} from './ssrf.js'
