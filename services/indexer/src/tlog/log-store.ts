import {
  appendNodes,
  consistencyProof,
  type HashReader,
  inclusionProof,
  leafHash,
  type NodeId,
  rootAt,
  type StoredNode,
} from '@donottrain/verifier'
import type { Kysely, Transaction } from 'kysely'
import { PreparedQuery } from '../db/prepared.js'
import { encodeLeaf, leafFields } from './leaf.js'
import type { LogCheckpointTable, LogLeafTable, LogSchema } from './schema.js'

type Conn = Kysely<LogSchema> | Transaction<LogSchema>

/** A change row, as the log reads it. */
export interface LoggableChange {
  seq: number
  kind: string
  did: string
  uri: string | null
  cid: string | null
  rev: string | null
  indexed_at: string
}

const key = (level: number, index: number) => `${level}/${index}`

// The statements of a single append (every accepted change makes one), compiled once: building
// and compiling them with Kysely cost more than running them.
const selectSize = new PreparedQuery(0, (db: Conn) =>
  db.selectFrom('log_leaf').select((eb) => eb.fn.max('idx').as('idx')),
)
const selectNode = new PreparedQuery(2, (db: Conn, level: number, idx: number) =>
  db.selectFrom('log_node').select('hash').where('level', '=', level).where('idx', '=', idx),
)
const insertLeaf = new PreparedQuery(
  4,
  (db: Conn, idx: number, change_seq: number, leaf: Uint8Array, hash: Uint8Array) =>
    db.insertInto('log_leaf').values({ idx, change_seq, leaf, hash }),
)
const insertNode = new PreparedQuery(3, (db: Conn, level: number, idx: number, hash: Uint8Array) =>
  db.insertInto('log_node').values({ level, idx, hash }),
)
/** Up to this many rows, one prepared statement per row; more go as multi-row inserts. */
const FEW = 4

/**
 * The transparency log in the indexer's database: leaves, complete-subtree nodes (so appends and
 * proofs read O(log n) nodes, one query each) and signed checkpoints. Writes take the connection
 * of the caller's transaction, so a leaf is committed with the change it records.
 */
export class LogStore {
  constructor(private readonly db: Kysely<LogSchema>) {}

  async size(conn: Conn = this.db): Promise<number> {
    const row = await selectSize.first(conn)
    return row?.idx === null || row?.idx === undefined ? 0 : Number(row.idx) + 1
  }

  /** The seq of the newest change the log holds (0: none). */
  async lastChangeSeq(conn: Conn = this.db): Promise<number> {
    const row = await conn
      .selectFrom('log_leaf')
      .select((eb) => eb.fn.max('change_seq').as('seq'))
      .executeTakeFirst()
    return row?.seq === null || row?.seq === undefined ? 0 : Number(row.seq)
  }

  /** Node reads for proofs; `pending` holds nodes written earlier in the same (uncommitted) batch. */
  reader(conn: Conn = this.db, pending?: Map<string, Uint8Array>): HashReader {
    const getNodes = async (ids: readonly NodeId[]): Promise<Uint8Array[]> => {
      const found = new Map<string, Uint8Array>()
      const missing = ids.filter((id) => {
        const hit = pending?.get(key(id.level, id.index))
        if (hit) found.set(key(id.level, id.index), hit)
        return !hit
      })
      if (missing.length > 0 && missing.length <= FEW) {
        for (const id of missing) {
          const row = await selectNode.first(conn, id.level, id.index)
          if (row) found.set(key(id.level, id.index), new Uint8Array(row.hash))
        }
      } else if (missing.length > 0) {
        const rows = await conn
          .selectFrom('log_node')
          .select(['level', 'idx', 'hash'])
          .where((eb) => eb.or(missing.map((id) => eb.and([eb('level', '=', id.level), eb('idx', '=', id.index)]))))
          .execute()
        for (const r of rows) found.set(key(Number(r.level), Number(r.idx)), new Uint8Array(r.hash))
      }
      return ids.map((id) => found.get(key(id.level, id.index)) ?? new Uint8Array(0))
    }
    return {
      getNodes,
      getNode: async (level, index) => (await getNodes([{ level, index }]))[0] as Uint8Array,
    }
  }

  /**
   * Appends one leaf per change, in seq order, after the newest leaf. Call inside the
   * transaction that writes the changes (and with writes serialized: SQLite's single writer, or
   * the PostgreSQL lock the store takes), so leaves and changes commit together.
   */
  async append(conn: Conn, changes: readonly LoggableChange[]): Promise<number> {
    if (changes.length === 0) return this.size(conn)
    let size = await this.size(conn)
    const pending = new Map<string, Uint8Array>()
    const reader = this.reader(conn, pending)
    const leaves: LogLeafTable[] = []
    const nodes: StoredNode[] = []
    for (const change of changes) {
      const leaf = encodeLeaf(leafFields(change))
      const hash = leafHash(leaf)
      const added = await appendNodes(size, hash, reader)
      for (const n of added) pending.set(key(n.level, n.index), n.hash)
      nodes.push(...added)
      leaves.push({ idx: size, change_seq: change.seq, leaf, hash })
      size++
    }
    if (leaves.length <= FEW && nodes.length <= FEW) {
      for (const l of leaves) await insertLeaf.execute(conn, l.idx, l.change_seq, l.leaf, l.hash)
      for (const n of nodes) await insertNode.execute(conn, n.level, n.index, n.hash)
      return size
    }
    for (let i = 0; i < leaves.length; i += 200) {
      await conn
        .insertInto('log_leaf')
        .values(leaves.slice(i, i + 200))
        .execute()
    }
    const rows = nodes.map((n) => ({ level: n.level, idx: n.index, hash: n.hash }))
    for (let i = 0; i < rows.length; i += 300) {
      await conn
        .insertInto('log_node')
        .values(rows.slice(i, i + 300))
        .execute()
    }
    return size
  }

  rootAt(size: number): Promise<Uint8Array> {
    return rootAt(size, this.reader())
  }

  inclusionProof(size: number, index: number): Promise<Uint8Array[]> {
    return inclusionProof(size, index, this.reader())
  }

  consistencyProof(first: number, second: number): Promise<Uint8Array[]> {
    return consistencyProof(first, second, this.reader())
  }

  async entries(start: number, limit: number): Promise<LogLeafTable[]> {
    const rows = await this.db
      .selectFrom('log_leaf')
      .selectAll()
      .where('idx', '>=', start)
      .orderBy('idx')
      .limit(limit)
      .execute()
    return rows.map(leafRow)
  }

  async leafByHash(hash: Uint8Array): Promise<LogLeafTable | undefined> {
    const row = await this.db.selectFrom('log_leaf').selectAll().where('hash', '=', hash).executeTakeFirst()
    return row && leafRow(row)
  }

  /** The leaf indexes of these changes. */
  async leafIndexes(changeSeqs: readonly number[]): Promise<Map<number, number>> {
    const out = new Map<number, number>()
    for (let i = 0; i < changeSeqs.length; i += 1000) {
      const rows = await this.db
        .selectFrom('log_leaf')
        .select(['idx', 'change_seq'])
        .where('change_seq', 'in', changeSeqs.slice(i, i + 1000))
        .execute()
      for (const r of rows) out.set(Number(r.change_seq), Number(r.idx))
    }
    return out
  }

  async latestCheckpoint(): Promise<LogCheckpointTable | undefined> {
    const row = await this.db
      .selectFrom('log_checkpoint')
      .selectAll()
      .orderBy('size', 'desc')
      .limit(1)
      .executeTakeFirst()
    return row && { ...row, size: Number(row.size) }
  }

  /** The newest checkpoint made at or before `time` (ISO 8601). */
  async checkpointAt(time: string): Promise<LogCheckpointTable | undefined> {
    const row = await this.db
      .selectFrom('log_checkpoint')
      .selectAll()
      .where('created_at', '<=', time)
      .orderBy('size', 'desc')
      .limit(1)
      .executeTakeFirst()
    return row && { ...row, size: Number(row.size) }
  }

  async checkpointOfSize(size: number): Promise<LogCheckpointTable | undefined> {
    const row = await this.db.selectFrom('log_checkpoint').selectAll().where('size', '=', size).executeTakeFirst()
    return row && { ...row, size: Number(row.size) }
  }

  /** The stored checkpoint of `size` re-signed (same tree, another origin or key). */
  async replaceCheckpointNote(size: number, note: string): Promise<void> {
    await this.db.updateTable('log_checkpoint').set({ note }).where('size', '=', size).execute()
  }

  async saveCheckpoint(cp: LogCheckpointTable): Promise<void> {
    await this.db
      .insertInto('log_checkpoint')
      .values(cp)
      .onConflict((oc) => oc.column('size').doNothing())
      .execute()
  }
}

/** Drivers hand back Buffers and (PostgreSQL) numeric strings: normalise. */
function leafRow(r: LogLeafTable): LogLeafTable {
  return {
    idx: Number(r.idx),
    change_seq: Number(r.change_seq),
    leaf: new Uint8Array(r.leaf),
    hash: new Uint8Array(r.hash),
  }
}
