import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decode } from '@atcute/cbor'
import { type LocalPostgres, startPostgres } from '@donottrain/test'
import {
  ed25519Verifier,
  emptyRoot,
  generateNoteKey,
  leafHash,
  MemoryTree,
  openCheckpoint,
  parseSignerKey,
  parseVerifierKey,
  verifyConsistency,
  verifyInclusion,
} from '@donottrain/verifier'
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Db, openDb } from '../db/db.js'
import { Checkpointer } from './checkpointer.js'
import { encodeLeaf, leafFields } from './leaf.js'
import { type LoggableChange, LogStore } from './log-store.js'
import type { LogSchema } from './schema.js'

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'

const change = (seq: number): LoggableChange => ({
  seq,
  kind: seq % 5 === 0 ? 'delete' : seq % 7 === 0 ? 'hide' : 'create',
  did: DID,
  uri: seq % 7 === 0 ? null : `at://${DID}/ai.donottrain.declaration/3l3qo2vuts${String(seq).padStart(3, '2')}`,
  cid: seq % 5 === 0 || seq % 7 === 0 ? null : 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm',
  rev: seq % 7 === 0 ? null : '3l3qo2vutsw2b',
  indexed_at: new Date(1_780_000_000_000 + seq * 1000).toISOString(),
})

describe('encodeLeaf', () => {
  it('is canonical DAG-CBOR of every field, absent ones as null', () => {
    const fields = leafFields(change(7))
    expect(fields).toMatchObject({ collection: null, rkey: null, cid: null, rev: null, kind: 'hide' })
    const bytes = encodeLeaf(fields)
    expect(decode(bytes)).toEqual(fields)
    // Same fields, any construction order: same bytes.
    const { indexedAt, kind, ...rest } = fields
    const reordered = { indexedAt, kind, ...rest }
    expect(encodeLeaf(reordered)).toEqual(bytes)
    expect(leafFields(change(3))).toMatchObject({ collection: 'ai.donottrain.declaration', rkey: '3l3qo2vuts223' })
  })
})

async function withDb(
  dialect: 'sqlite' | 'postgres',
  pg: () => LocalPostgres | undefined,
): Promise<{ db: Db; cleanup(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'donottrain-log-'))
    const db = openDb({ dialect: 'sqlite', path: join(dir, 'log.sqlite') })
    await db.migrateToLatest()
    return {
      db,
      cleanup: async () => {
        await db.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  }
  const server = pg() as LocalPostgres
  const db = openDb({ dialect: 'postgres', url: server.url })
  await db.migrateToLatest()
  return { db, cleanup: () => db.close() }
}

describe.each(['sqlite', 'postgres'] as const)('LogStore on %s', (dialect) => {
  let pg: LocalPostgres | undefined
  let db: Db
  let cleanup: () => Promise<void>
  let log: LogStore
  const mirror = new MemoryTree()

  beforeAll(async () => {
    if (dialect === 'postgres') pg = await startPostgres()
    ;({ db, cleanup } = await withDb(dialect, () => pg))
    log = new LogStore(db.kysely as unknown as Kysely<LogSchema>)
  }, 120_000)
  afterAll(async () => {
    await cleanup?.()
    await pg?.stop()
  })

  it('appends leaves in batches and keeps the RFC 9162 root of an in-memory tree', async () => {
    const k = db.kysely as unknown as Kysely<LogSchema>
    let seq = 0
    for (const batch of [1, 1, 2, 5, 8, 13, 40]) {
      const changes = Array.from({ length: batch }, () => change(++seq))
      await k.transaction().execute((tx) => log.append(tx, changes))
      for (const c of changes) mirror.append(encodeLeaf(leafFields(c)))
      expect(await log.size()).toBe(mirror.size)
      expect(await log.rootAt(mirror.size)).toEqual(mirror.rootAt())
    }
    expect(await log.lastChangeSeq()).toBe(seq)
  })

  it('serves inclusion proofs for every leaf and consistency proofs between sizes, which verify', async () => {
    const size = mirror.size
    const root = mirror.rootAt()
    const entries = await log.entries(0, 1000)
    expect(entries).toHaveLength(size)
    for (const e of entries) {
      expect(e.hash).toEqual(leafHash(e.leaf))
      const proof = await log.inclusionProof(size, e.idx)
      expect(verifyInclusion(e.hash, e.idx, size, proof, root).ok).toBe(true)
    }
    for (const first of [1, 2, 3, 7, 17, 40, size]) {
      const proof = await log.consistencyProof(first, size)
      expect(verifyConsistency(first, size, mirror.rootAt(first), root, proof).ok).toBe(true)
    }
    // A proof for a leaf does not verify another leaf.
    const proof = await log.inclusionProof(size, 3)
    expect(verifyInclusion(entries[4]?.hash as Uint8Array, 3, size, proof, root).ok).toBe(false)
  })

  it('finds leaves by hash and by change seq', async () => {
    const [e] = await log.entries(9, 1)
    expect((await log.leafByHash(e?.hash as Uint8Array))?.idx).toBe(9)
    const idx = await log.leafIndexes([1, 10, 999])
    expect([...idx]).toEqual([
      [1, 0],
      [10, 9],
    ])
  })

  it('refuses to log the same change twice', async () => {
    const k = db.kysely as unknown as Kysely<LogSchema>
    await expect(k.transaction().execute((tx) => log.append(tx, [change(1)]))).rejects.toThrow()
    expect(await log.size()).toBe(mirror.size)
  })

  it('signs checkpoints that open with the verifier key, only when the log grew', async () => {
    const keys = await generateNoteKey('indexer.test/donottrain/log')
    const signer = await parseSignerKey(keys.signerKey)
    if (!signer.ok) throw signer.error
    const errors: unknown[] = []
    const cp = new Checkpointer({
      log,
      signer: signer.value,
      origin: 'indexer.test/donottrain/log',
      intervalMs: 60_000,
      onError: (e) => errors.push(e),
    })
    const first = await cp.checkpoint()
    expect(first.size).toBe(mirror.size)
    const verifier = parseVerifierKey(keys.verifierKey)
    if (!verifier.ok) throw verifier.error
    const opened = await openCheckpoint(first.note, verifier.value, { origin: 'indexer.test/donottrain/log' })
    expect(opened.ok).toBe(true)
    if (opened.ok) expect(opened.value.checkpoint.rootHash).toEqual(mirror.rootAt())
    expect((await cp.checkpoint()).note).toBe(first.note) // no growth, no new checkpoint
    const other = ed25519Verifier('indexer.test/donottrain/log', new Uint8Array(32).fill(9))
    expect((await openCheckpoint(first.note, other)).ok).toBe(false)
    expect(errors).toEqual([])
    expect(emptyRoot()).toHaveLength(32)
  })

  it('signs the newest checkpoint again when the origin or key changed, the tree unchanged', async () => {
    const sign = async (origin: string) => {
      const keys = await generateNoteKey(origin)
      const signer = await parseSignerKey(keys.signerKey)
      const verifier = parseVerifierKey(keys.verifierKey)
      if (!signer.ok || !verifier.ok) throw new Error('key')
      const cp = new Checkpointer({ log, signer: signer.value, origin, intervalMs: 60_000, onError: () => {} })
      return { cp, verifier: verifier.value }
    }
    const before = await log.latestCheckpoint()
    if (!before) throw new Error('no checkpoint')
    // Another host (so another origin) and another key: the same size, signed again.
    const moved = await sign('moved.test/donottrain/log')
    const again = await moved.cp.checkpoint()
    expect(again.size).toBe(before.size)
    expect(again.note).not.toBe(before.note)
    const opened = await openCheckpoint(again.note, moved.verifier, { origin: 'moved.test/donottrain/log' })
    expect(opened.ok).toBe(true)
    if (opened.ok) expect([...opened.value.checkpoint.rootHash]).toEqual([...before.root])
    const stored = await log.latestCheckpoint()
    expect(stored?.note).toBe(again.note)
    expect(stored?.created_at).toBe(before.created_at) // when that tree was first signed
    expect(await log.checkpointOfSize(before.size)).toMatchObject({ note: again.note })
    // Asked again: nothing changes.
    expect((await moved.cp.checkpoint()).note).toBe(again.note)
    expect((await log.latestCheckpoint())?.note).toBe(again.note)
  })

  it('start() has signed the current tree when it resolves, then ticks until stop()', async () => {
    const keys = await generateNoteKey('indexer.test/donottrain/log')
    const signer = await parseSignerKey(keys.signerKey)
    if (!signer.ok) throw signer.error
    const k = db.kysely as unknown as Kysely<LogSchema>
    const next = (await log.lastChangeSeq()) + 1
    await k.transaction().execute((tx) => log.append(tx, [change(next)]))
    const errors: unknown[] = []
    const origin = 'indexer.test/donottrain/log'
    const cp = new Checkpointer({ log, signer: signer.value, origin, intervalMs: 50, onError: (e) => errors.push(e) })
    await cp.start()
    expect((await log.latestCheckpoint())?.size).toBe(await log.size())
    // The log grows: the next tick signs it.
    await k.transaction().execute((tx) => log.append(tx, [change(next + 1)]))
    const grown = await log.size()
    for (let i = 0; i < 100 && (await log.latestCheckpoint())?.size !== grown; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect((await log.latestCheckpoint())?.size).toBe(grown)
    await cp.stop()
    await k.transaction().execute((tx) => log.append(tx, [change(next + 2)]))
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect((await log.latestCheckpoint())?.size).toBe(grown) // stopped: no more ticks
    expect(errors).toEqual([])
  })
})
