import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type LocalPostgres, startPostgres } from '@donottrain/test'
import { fromBase64, generateNoteKey, parseSignerKey, verifyInclusion } from '@donottrain/verifier'
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Db, openDb } from '../db/db.js'
import { Queries } from '../db/queries.js'
import { Checkpointer } from '../tlog/checkpointer.js'
import { LogStore } from '../tlog/log-store.js'
import type { LogSchema } from '../tlog/schema.js'
import type { TlogDeps } from './log-proofs.js'
import { type StatusAnswer, statusOf } from './status.js'
import { queryStatusReads, sqlStatusReads } from './status-reads.js'
import { did, ORIGIN, seed } from './test-support.js'

describe.each(['sqlite', 'postgres'] as const)('status reads on %s', (dialect) => {
  let pg: LocalPostgres | undefined
  let db: Db
  let dir: string | undefined
  let log: LogStore
  let tlog: TlogDeps

  beforeAll(async () => {
    if (dialect === 'postgres') {
      pg = await startPostgres()
      db = openDb({ dialect: 'postgres', url: pg.url })
    } else {
      dir = mkdtempSync(join(tmpdir(), 'donottrain-reads-'))
      db = openDb({ dialect: 'sqlite', path: join(dir, 'store.sqlite') })
    }
    await db.migrateToLatest()
    log = new LogStore(db.kysely as unknown as Kysely<LogSchema>)
    await seed(db, log)
    const keys = await generateNoteKey('indexer.test/donottrain/log')
    const signer = await parseSignerKey(keys.signerKey)
    if (!signer.ok) throw signer.error
    const checkpointer = new Checkpointer({
      log,
      signer: signer.value,
      origin: 'indexer.test/donottrain/log',
      intervalMs: 60_000,
      onError: () => {},
    })
    tlog = { store: log, checkpointer, origin: 'indexer.test/donottrain/log', verifierKey: keys.verifierKey }
  }, 120_000)
  afterAll(async () => {
    await db?.close()
    // pg's pool resolves end() before its clients' sockets have closed: let them, or stopping
    // the server fails a closing client with 57P01 (an unhandled error in the run).
    if (pg) await new Promise((resolve) => setTimeout(resolve, 500))
    await pg?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('reads the same rows, repository states and log leaves as the query builders', async () => {
    const sql = sqlStatusReads(db.kysely)
    const built = queryStatusReads(new Queries(db.kysely), log)
    for (const dids of [
      [did(5)],
      [did(3)],
      [did(99)],
      Array.from({ length: 31 }, (_, i) => did(i)),
      [did(6), did(6)],
      // Large enough to be read in two halves at once (SQLite: one on the worker's connection).
      Array.from({ length: 250 }, (_, i) => did(249 - i)),
    ]) {
      const a = await sql.accounts(dids)
      const b = await built.accounts(dids)
      expect(a.rows).toEqual(b.rows)
      expect(a.repos).toEqual(b.repos)
    }
    const a = await sql.origins([ORIGIN, 'https://nobody.example'])
    expect(a.length).toBeGreaterThan(0)
    expect(a).toEqual(await built.origins([ORIGIN, 'https://nobody.example']))
  })

  it('gives statusOf the same answers either way, with proofs that verify', async () => {
    const queries = new Queries(db.kysely)
    const lookupHandles = async (handles: readonly string[]) =>
      new Map(handles.map((h) => [h, h === 'user3.example' ? did(3) : null]))
    const inputs = [
      ...Array.from({ length: 30 }, (_, i) => did(i)),
      `at://${did(2)}/app.bsky.feed.post/3l3qo2vutsaab`,
      `at://${did(6)}/app.bsky.feed.post`,
      'user3.example',
      'nobody.example',
      `${ORIGIN}/post.html`,
      'not a subject',
    ]
    const strip = (answers: StatusAnswer[]) => JSON.parse(JSON.stringify(answers))
    for (const logProofs of [false, true]) {
      const fast = await statusOf(
        inputs,
        { queries, lookupHandles, tlog, reads: sqlStatusReads(db.kysely) },
        { logProofs },
      )
      const slow = await statusOf(inputs, { queries, lookupHandles, tlog }, { logProofs })
      expect(strip(fast)).toEqual(strip(slow))
    }
    // Twice more: the second answer comes from the cached checkpoint and nodes.
    for (let i = 0; i < 2; i++) {
      const answers = await statusOf(
        inputs,
        { queries, lookupHandles, tlog, reads: sqlStatusReads(db.kysely) },
        { logProofs: true },
      )
      let proven = 0
      for (const a of answers) {
        if (!a.ok) continue
        const cp = a.status.checkpoint
        expect(cp).toBeDefined()
        for (const inc of a.status.inclusions ?? []) {
          const ok = verifyInclusion(
            fromBase64(inc.leafHash) as Uint8Array,
            inc.leafIndex,
            inc.treeSize,
            inc.hashes.map((h) => fromBase64(h) as Uint8Array),
            fromBase64(cp?.rootHash as string) as Uint8Array,
          )
          expect(ok.ok).toBe(true)
          proven++
        }
      }
      expect(proven).toBeGreaterThan(10)
    }
  })
})
