/** The transparency log's tables (migration 003). */
export interface LogLeafTable {
  /** Leaf index, from 0, without gaps. */
  idx: number
  /** The change (in the declarations feed) this leaf records. */
  change_seq: number
  /** Canonical DAG-CBOR of the change. */
  leaf: Uint8Array
  /** SHA-256(0x00 || leaf). */
  hash: Uint8Array
}

/** A complete subtree's hash: level 0 holds leaf hashes. Never rewritten. */
export interface LogNodeTable {
  level: number
  idx: number
  hash: Uint8Array
}

export interface LogCheckpointTable {
  size: number
  root: Uint8Array
  /** The signed note (C2SP tlog-checkpoint). */
  note: string
  created_at: string
}

export interface LogSchema {
  log_leaf: LogLeafTable
  log_node: LogNodeTable
  log_checkpoint: LogCheckpointTable
}
