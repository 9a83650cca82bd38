/**
 * Blocks by CID: the canonical CID string ('bafyrei…') to the block's bytes. A CAR slice, a
 * firehose commit's blocks or a whole repository export all read into this shape.
 */
export type BlockMap = ReadonlyMap<string, Uint8Array>

/** One entry of a decoded MST node; CIDs are their 36 bytes, the key is expanded in full. */
export type MstEntry = {
  key: string
  value: Uint8Array
  right: Uint8Array | null
}

/** A decoded MST node: `l` (the subtree left of every entry) and the entries in key order. */
export type MstNode = {
  left: Uint8Array | null
  entries: MstEntry[]
}
