import { createHash } from 'node:crypto'
import { open, rename, rm, writeFile } from 'node:fs/promises'
import {
  emptyRoot,
  manifestPathOf,
  type NoteSigner,
  rootAt,
  SNAPSHOT_FORMAT,
  type SnapshotDeclaration,
  SnapshotEncoder,
  type SnapshotManifest,
  signCheckpoint,
  signManifest,
  toBase64,
  toHex,
} from '@donottrain/verifier'
import { type Kysely, PostgresAdapter, sql, type Transaction } from 'kysely'
import type { DatabaseSchema, DeclarationTable } from '../db/schema.js'
import { LogStore } from '../tlog/log-store.js'
import type { LogCheckpointTable, LogSchema } from '../tlog/schema.js'
import { rowScope } from '../views.js'

export interface WriteSnapshotOptions {
  db: Kysely<DatabaseSchema>
  /** Signs the manifest (and a checkpoint of the snapshot's tree size when none is stored yet). */
  signer: NoteSigner
  /** The log's origin line; the signer's name must be it. */
  origin: string
  /** The data file; the signed manifest is written beside it (`<out>.manifest`). */
  out: string
  /** Rows read per query. Default 5,000. */
  pageSize?: number
  now?: () => Date
}

export interface SnapshotSummary {
  data: string
  manifest: string
  origin: string
  size: number
  rootHash: string
  count: number
  dataBytes: number
  dataSha256: string
  createdAt: string
}

type Row = Omit<DeclarationTable, 'proof'> & { log_index: number | string | null }

const COLUMNS = sql.raw(
  'd.uri, d.did, d.collection, d.rkey, d.cid, d.rev, d.source, d.scope_type, d.scope_target, d.scope_cid, ' +
    'd.preferences, d.statement, d.license_uri, d.created_at, d.origin_verified, d.indexed_at, d.seq, l.idx as log_index',
)

/**
 * Writes a snapshot of every current declaration, consistent with one tree size of the log:
 * the log size, its root and every declaration are read in ONE read transaction (SQLite: a WAL
 * read snapshot; PostgreSQL: REPEATABLE READ), and leaves are appended in the transaction of
 * their change, so the declarations read are exactly the state after the first `size` leaves.
 * (Filtering today's rows by "seq ≤ the checkpoint's last change" would not be: a declaration
 * updated or revoked after the checkpoint would be missing or show its newer version.)
 *
 * The data (the binary snapshot format of @donottrain/verifier: declarations sorted by uri, then
 * the account, DID hash and string tables) is streamed to a temp file and hashed as it is written;
 * the checkpoint of that size is the stored one or, when the checkpointer has not made it,
 * signed here and stored; then the manifest is signed and both files are moved into place.
 * Writers are never blocked (SQLite's WAL grows while the read lasts).
 */
export async function writeSnapshot(opts: WriteSnapshotOptions): Promise<SnapshotSummary> {
  const { db, signer, origin, out } = opts
  if (signer.name !== origin) throw new TypeError(`the signer's name must be the log origin name=${signer.name}`)
  const pageSize = opts.pageSize ?? 5000
  const tmp = `${out}.${process.pid}.tmp`
  const hash = createHash('sha256')
  let dataBytes = 0
  let count = 0
  const read = async (tx: Transaction<DatabaseSchema>) => {
    const log = new LogStore(tx as unknown as Kysely<LogSchema>)
    const size = await log.size()
    const root = size === 0 ? emptyRoot() : await rootAt(size, log.reader())
    const stored = await log.checkpointOfSize(size)
    const encoder = new SnapshotEncoder()
    const file = await open(tmp, 'w', 0o644)
    try {
      const write = async (chunk: Uint8Array) => {
        hash.update(chunk)
        dataBytes += chunk.length
        for (let at = 0; at < chunk.length; ) at += (await file.write(chunk, at)).bytesWritten
      }
      for await (const rows of pages(tx, pageSize)) {
        for (const row of rows) encoder.push(toDeclaration(row))
        await write(encoder.flush())
      }
      await write(encoder.finish())
      count = encoder.count
      await file.sync()
    } finally {
      await file.close()
    }
    return { size, root, stored }
  }
  try {
    const isPg = db.getExecutor().adapter instanceof PostgresAdapter
    const { size, root, stored } = isPg
      ? await db.transaction().setIsolationLevel('repeatable read').execute(read)
      : await db.transaction().execute(read)
    const checkpoint = stored?.note ?? (await newCheckpoint(db, signer, origin, size, root))
    const createdAt = (opts.now?.() ?? new Date()).toISOString()
    const manifest: SnapshotManifest = {
      origin,
      size,
      rootHash: root,
      checkpoint,
      format: SNAPSHOT_FORMAT,
      dataSha256: new Uint8Array(hash.digest()),
      dataBytes,
      count,
      createdAt,
    }
    const manifestPath = manifestPathOf(out)
    await writeFile(`${manifestPath}.tmp`, await signManifest(manifest, signer), { mode: 0o644 })
    await rename(tmp, out)
    await rename(`${manifestPath}.tmp`, manifestPath)
    return {
      data: out,
      manifest: manifestPath,
      origin,
      size,
      rootHash: toBase64(root),
      count,
      dataBytes,
      dataSha256: toHex(manifest.dataSha256),
      createdAt,
    }
  } finally {
    await rm(tmp, { force: true })
    await rm(`${manifestPathOf(out)}.tmp`, { force: true })
  }
}

/** Every declaration, sorted by uri bytewise: keyset pages on SQLite, one server-side cursor on PostgreSQL. */
async function* pages(tx: Transaction<DatabaseSchema>, pageSize: number): AsyncGenerator<Row[]> {
  const from = sql`from declaration d left join log_leaf l on l.change_seq = d.seq`
  if (tx.getExecutor().adapter instanceof PostgresAdapter) {
    // ORDER BY with the C collation is bytewise (the verifier's order); a cursor sorts once.
    await sql`declare donottrain_snapshot no scroll cursor for select ${COLUMNS} ${from} order by d.uri collate "C"`.execute(
      tx,
    )
    for (;;) {
      const { rows } = await sql<Row>`fetch ${sql.raw(String(pageSize))} from donottrain_snapshot`.execute(tx)
      if (rows.length === 0) break
      yield rows
    }
    await sql`close donottrain_snapshot`.execute(tx)
    return
  }
  // SQLite compares text bytewise (BINARY), and uri is the primary key: keyset pages.
  let after = ''
  for (;;) {
    const { rows } =
      await sql<Row>`select ${COLUMNS} ${from} where d.uri > ${after} order by d.uri limit ${pageSize}`.execute(tx)
    if (rows.length === 0) return
    after = (rows.at(-1) as Row).uri
    yield rows
  }
}

function toDeclaration(row: Row): SnapshotDeclaration {
  const d: SnapshotDeclaration = {
    uri: row.uri,
    did: row.did,
    cid: row.cid,
    rev: row.rev,
    source: row.source,
    scope: rowScope({ ...row, origin_verified: Number(row.origin_verified) }),
    preferences: JSON.parse(row.preferences),
    indexedAt: row.indexed_at,
    seq: Number(row.seq),
  }
  if (row.statement !== null) d.statement = row.statement
  if (row.license_uri !== null) d.licenseUri = row.license_uri
  if (row.created_at !== null) d.createdAt = row.created_at
  if (row.log_index !== null) d.logIndex = Number(row.log_index)
  return d
}

/** Signs and stores a checkpoint of `size` (a concurrent checkpointer may store the same size first: use the stored one). */
async function newCheckpoint(
  db: Kysely<DatabaseSchema>,
  signer: NoteSigner,
  origin: string,
  size: number,
  root: Uint8Array,
): Promise<string> {
  const log = new LogStore(db as unknown as Kysely<LogSchema>)
  const note = await signCheckpoint({ origin, size, rootHash: root, extensions: [] }, signer)
  const cp: LogCheckpointTable = { size, root, note, created_at: new Date().toISOString() }
  await log.saveCheckpoint(cp)
  return (await log.checkpointOfSize(size))?.note ?? note
}
