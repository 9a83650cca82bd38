export type SyncErrorCode =
  | 'DidUnavailable' // the DID document could not be fetched now (directory or host down): retried
  | 'DidNotResolved' // the DID does not resolve (not found, tombstoned, invalid document)
  | 'NoPds' // the DID document names no usable PDS
  | 'Unavailable' // the PDS timed out, refused the connection, or answered 5xx / 429: retried
  | 'HttpError' // the PDS answered another non-2xx status (e.g. repo deactivated or not found)
  | 'Refused' // the SSRF guard refused the PDS address
  | 'TooLarge' // the answer was larger than its cap
  | 'BadResponse' // not the JSON or CAR asked for, or a commit / MST / record that does not check
  | 'BadSignature' // the commit signature does not verify with the account's key
  | 'Unstable' // the repository kept changing while it was read record by record: retried
  | 'TooManyRecords' // more records in a collection than a record-by-record read takes
  | 'Aborted' // shutting down

const RETRYABLE = new Set<SyncErrorCode>(['DidUnavailable', 'Unavailable', 'Unstable'])

/** Why fetching or checking an account's repository failed; `retryable` says whether trying later may help. */
export class SyncError extends Error {
  override name = 'SyncError'
  readonly retryable: boolean
  /** The HTTP status of an HttpError. */
  readonly status: number | undefined

  constructor(
    readonly code: SyncErrorCode,
    message: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.retryable = RETRYABLE.has(code)
    this.status = options?.status
  }
}

export const syncError = (code: SyncErrorCode, message: string, options?: { cause?: unknown; status?: number }) =>
  ({ ok: false, error: new SyncError(code, message, options) }) as const
