export type CheckErrorCode =
  | 'InvalidSubject' // not a DID, handle, at-uri or http(s) URL
  | 'UnresolvableSubject' // the handle or DID does not resolve (or the DID document does not claim the handle)
  | 'IdentityUnreachable' // the PLC directory, did:web host or DNS could not be asked

/** Why a subject could not be checked at all (an unreachable indexer or PDS is not one: see failMode). */
export class CheckError extends Error {
  override name = 'CheckError'
  constructor(
    readonly code: CheckErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
