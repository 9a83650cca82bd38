export type MstErrorCode =
  | 'MissingBlock' // a node the operation needs is not in the block map
  | 'MalformedNode' // a node block is not a strictly canonical MST node
  | 'InvalidTree' // nodes decode, but break an MST invariant (layers, key order, untrimmed root)
  | 'InvalidKey' // a key is not a valid MST key
  | 'InvalidOp' // an operation is malformed (missing or extra cid/prev, duplicate path)
  | 'OpMismatch' // an operation disagrees with the tree (created key absent, wrong value, ...)

/** Every failure of the mst folder: `code` is stable, the message is for people. */
export class MstError extends Error {
  override name = 'MstError'

  constructor(
    readonly code: MstErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
