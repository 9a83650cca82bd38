import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { verifyInclusion } from '@donottrain/verifier'
import { type Kysely, sql, type Transaction } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Db, openDb } from '../db/db.js'
import * as m004 from '../db/migrations/004-log-node-clustered.js'
import { type LoggableChange, LogStore } from '../tlog/log-store.js'
import type { LogSchema } from '../tlog/schema.js'
import { sqlStatusReads } from './status-reads.js'
import { TreeMemory, type TreeRows } from './tree-memory.js'

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'
const change = (seq: number): LoggableChange => ({
  seq,
  kind: 'create',
  did: DID,
  uri: `at://${DID}/ai.donottrain.declaration/3l3qo2vuts${String(seq).padStart(3, '2')}`,
  cid: 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm',
  rev: '3l3qo2vutsw2b',
  indexed_at: new Date(1_780_000_000_000 + seq * 1000).toISOString(),
})

describe('TreeMemory (proofs from the SQLite store through the status read connection)', () => {
  let dir: string
  let db: Db
  let log: LogStore
  let rows: TreeRows
  let size = 0

  const append = async (n: number) => {
    await db.kysely.transaction().execute(async (tx) => {
      const changes = Array.from({ length: n }, (_, i) => change(size + i + 1))
      await log.append(tx as unknown as Transaction<LogSchema>, changes)
    })
    size += n
  }

  /** Every leaf's proof at `treeSize` equals the store's own proof and verifies against its root. */
  const checkAll = async (memory: TreeMemory, treeSize: number) => {
    const root = await log.rootAt(treeSize)
    for (let i = 0; i < treeSize; i++) {
      const got = memory.inclusion(i, treeSize)
      expect(got, `index ${i} of ${treeSize}`).toBeDefined()
      const want = await log.inclusionProof(treeSize, i)
      expect(got?.path.map((h) => Buffer.from(h).toString('hex'))).toEqual(
        want.map((h) => Buffer.from(h).toString('hex')),
      )
      expect(verifyInclusion(got?.leaf as Uint8Array, i, treeSize, got?.path ?? [], root).ok).toBe(true)
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'donottrain-tree-memory-'))
    db = openDb({ dialect: 'sqlite', path: join(dir, 'store.sqlite') })
    await db.migrateToLatest()
    log = new LogStore(db.kysely as unknown as Kysely<LogSchema>)
    await append(300)
    const reads = sqlStatusReads(db.kysely)
    await reads.accounts([DID]) // the read connection is open once a read has run
    const tree = reads.treeRows?.()
    if (!tree) throw new Error('no direct tree reads')
    rows = tree
  }, 60_000)
  afterAll(async () => {
    await db?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('reads runs of nodes, stopping at the end of a level', () => {
    expect(rows.nodeRun(0, 0, 3).length).toBe(3 * 32)
    expect(rows.nodeRun(0, 298, 310).length).toBe(2 * 32)
    expect(rows.nodeRun(0, 300, 301).length).toBe(0)
    expect(rows.nodeRun(8, 0, 2).length).toBe(32) // one complete subtree of 256 leaves
  })

  it('gives the store’s proofs at every size and index, all in memory, and within budget', async () => {
    const memory = new TreeMemory(rows)
    for (const n of [1, 2, 3, 7, 8, 9, 100, 255, 256, 257, 300]) await checkAll(memory, n)
    await memory.warm()
    expect(memory.levelFor(300)).toBe(0)
    expect(memory.bytes).toBeGreaterThanOrEqual(2 * 300 * 32 - 9 * 32)
    await checkAll(memory, 300)
  })

  it('keeps only the upper levels under a small budget, reading lower nodes from the store', async () => {
    const memory = new TreeMemory(rows, 40 * 32)
    expect(memory.levelFor(300)).toBe(4) // 2 · 300 / 2^4 = 37.5 hashes fit in 40
    await checkAll(memory, 300)
    await memory.warm()
    expect(memory.bytes).toBeLessThanOrEqual(2 * 40 * 32)
    await checkAll(memory, 300)
  })

  it('follows the log as it grows (levels filled before keep growing)', async () => {
    const memory = new TreeMemory(rows)
    await memory.warm()
    await checkAll(memory, 300)
    await append(213)
    await checkAll(memory, 513)
  })

  it('answers undefined, not a wrong proof, outside the tree or where the store lacks a node', async () => {
    const memory = new TreeMemory(rows, 8 * 32)
    expect(memory.inclusion(-1, 10)).toBeUndefined()
    expect(memory.inclusion(10, 10)).toBeUndefined()
    expect(memory.inclusion(0.5, 10)).toBeUndefined()
    expect(memory.inclusion(0, size + 64)).toBeUndefined() // nodes beyond the stored tree
    // A lost level-1 node (a damaged store): proofs that need it are refused, others still work.
    await sql`delete from log_node where level = 1 and idx = 3`.execute(db.kysely)
    const fresh = new TreeMemory(rows, 8 * 32)
    expect(fresh.inclusion(4, 300)).toBeUndefined() // sibling of leaves 4–5 is node (1, 3)
    expect(fresh.inclusion(6, 300)).toBeDefined() // leaves 6–7 are node (1, 3) itself: not needed
    expect(rows.nodeRun(1, 0, 10).length).toBe(3 * 32) // the run stops at the gap
    // A hash of the wrong size: the run stops before it, so no later hash is misplaced.
    await sql`update log_node set hash = ${new Uint8Array(31)} where level = 0 and idx = 5`.execute(db.kysely)
    expect(rows.nodeRun(0, 0, 10).length).toBe(5 * 32)
    expect(new TreeMemory(rows, 8 * 32).inclusion(5, 300)).toBeUndefined()
    expect(new TreeMemory(rows).inclusion(4, 300)).toBeUndefined() // its sibling is the damaged leaf
  })
})

describe('migration 004 (log_node without rowid)', () => {
  it('keeps every node through up and down, and clusters the table on SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'donottrain-m004-'))
    const db = openDb({ dialect: 'sqlite', path: join(dir, 'store.sqlite') })
    try {
      await db.migrateToLatest()
      const log = new LogStore(db.kysely as unknown as Kysely<LogSchema>)
      await db.kysely.transaction().execute(async (tx) => {
        await log.append(
          tx as unknown as Transaction<LogSchema>,
          Array.from({ length: 50 }, (_, i) => change(i + 1)),
        )
      })
      const k = db.kysely as unknown as Kysely<unknown>
      const nodes = async () =>
        (
          await sql<{
            level: number
            idx: number
            hash: Uint8Array
          }>`select * from log_node order by level, idx`.execute(k)
        ).rows
      const tableSql = async () =>
        (await sql<{ sql: string }>`select sql from sqlite_master where name = 'log_node'`.execute(k)).rows[0]?.sql ??
        ''
      const before = await nodes()
      expect(before.length).toBe(50 + 25 + 12 + 6 + 3 + 1)
      expect(await tableSql()).toMatch(/without rowid/i)
      await m004.down(k, 'sqlite')
      expect(await tableSql()).not.toMatch(/without rowid/i)
      expect(await nodes()).toEqual(before)
      await m004.up(k, 'sqlite')
      expect(await tableSql()).toMatch(/without rowid/i)
      expect(await nodes()).toEqual(before)
      expect((await log.rootAt(50)).length).toBe(32)
    } finally {
      await db.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
