export type ReceiptErrorCode =
  | 'MalformedReceipt' // not JSON, or not the receipt shape
  | 'ProofFailed' // a proof does not verify (`proofCode` says how: BadSignature, CidMismatch…)
  | 'DeclarationMismatch' // a proven record does not make the declaration the receipt says, or is of another account
  | 'VerdictMismatch' // the verdict recomputed from the proven declarations is not the receipt's
  | 'StatementInvalid' // the indexer's signed statement does not verify with its key
  | 'UntrustedStatementKey' // the statement verifies, but with a key the caller does not trust

/** Why a receipt does not hold. */
export class ReceiptError extends Error {
  override name = 'ReceiptError'
  constructor(
    readonly code: ReceiptErrorCode,
    message: string,
    options?: { cause?: unknown; proofCode?: string },
  ) {
    super(message, options)
    if (options?.proofCode !== undefined) this.proofCode = options.proofCode
  }

  /** For ProofFailed: the ProofError code of the failing proof. */
  readonly proofCode?: string
}
