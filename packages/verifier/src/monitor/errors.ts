export type ViolationCode =
  | 'bad-signature' // the checkpoint does not verify with the key of the indexer's did.json
  | 'key-changed' // the did.json key (or log origin) is not the one seen before
  | 'rollback' // the tree is smaller than the one seen before
  | 'fork' // same tree size as before, another root
  | 'inconsistent' // no valid consistency proof from the tree seen before to this one
  | 'missing-leaf' // a current declaration's change is not provably in the log
  | 'bad-proof' // the log served a proof or leaf that does not verify
  | 'split-view' // two vantage points see trees that cannot both be the log's

/** Evidence that the log misbehaved. `code` is stable, the message says what was seen. */
export class MonitorViolation extends Error {
  override name = 'MonitorViolation'
  constructor(
    readonly code: ViolationCode,
    message: string,
    readonly details: Record<string, string | number> = {},
  ) {
    super(message)
  }
}

export type MonitorErrorCode =
  | 'unreachable' // the indexer could not be asked (network, timeout, 5xx)
  | 'bad-response' // an answer that is not what the method returns (or too large)
  | 'too-large' // the change feed is longer than maxChanges

/** The monitor could not do its check (nothing was proven either way). */
export class MonitorError extends Error {
  override name = 'MonitorError'
  constructor(
    readonly code: MonitorErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
