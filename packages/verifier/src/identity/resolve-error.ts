export type ResolveErrorCode =
  | 'InvalidDid' // not a did:plc or did:web this resolver accepts (syntax, did:web path or port)
  | 'UnsupportedDidMethod' // a valid DID of another method (did:key, did:ion…)
  | 'DidNotFound' // the PLC directory or did:web host answered 404
  | 'DidTombstoned' // the PLC directory or did:web host answered 410 (deactivated)
  | 'InvalidDidDocument' // not JSON, wrong shape, over the caps, or an `id` other than the DID
  | 'FetchFailed' // network, timeout, SSRF refusal, size cap, other status; `cause` is the fetch error
  | 'MissingAtprotoKey' // no `#atproto` verification method
  | 'InvalidAtprotoKey' // a `#atproto` method whose key cannot be read or is not on its curve

/** Why a DID could not be resolved, or why its document has no usable atproto key. */
export class ResolveError extends Error {
  override name = 'ResolveError'
  constructor(
    readonly code: ResolveErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
