export type PdsErrorCode =
  | 'NoPdsEndpoint' // the DID document names no usable #atproto_pds service
  | 'Blocked' // the SSRF guard refused the PDS address (loopback, private, http…)
  | 'Unreachable' // network failure or timeout
  | 'HttpError' // the PDS answered with a non-2xx status (e.g. a deactivated or taken-down repo)
  | 'MalformedResponse' // a body that is not what the method returns

/** Why a PDS could not give what was asked. */
export class PdsError extends Error {
  override name = 'PdsError'
  constructor(
    readonly code: PdsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
