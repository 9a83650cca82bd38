import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type LocalPostgres, startPostgres } from '@donottrain/test'
import { generateNoteKey, type NoteSigner, parseSignerKey, SnapshotChecker } from '@donottrain/verifier'
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Db, openDb } from '../db/db.js'
import type { DeclarationTable } from '../db/schema.js'
import { LogStore } from '../tlog/log-store.js'
import type { LogSchema } from '../tlog/schema.js'
import { writeSnapshot } from './write-snapshot.js'

const ORIGIN = 'indexer.test/donottrain/log'
const DIDS = ['did:plc:bbbbbbbbbbbbbbbbbbbbbbbb', 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa']

const row = (seq: number, did: string, rkey: string, scope: Partial<DeclarationTable> = {}): DeclarationTable => ({
  uri: `at://${did}/ai.donottrain.declaration/${rkey}`,
  did,
  collection: 'ai.donottrain.declaration',
  rkey,
  cid: 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm',
  rev: '3l3qo2vutsw2b',
  source: 'declaration',
  scope_type: 'account',
  scope_target: null,
  scope_cid: null,
  preferences: JSON.stringify({ trainAi: 'deny' }),
  statement: seq === 1 ? 'no' : null,
  license_uri: null,
  created_at: null,
  origin_verified: 0,
  indexed_at: new Date(1_780_000_000_000 + seq).toISOString(),
  proof: new Uint8Array([1]),
  seq,
  ...scope,
})

describe.each(['sqlite', 'postgres'] as const)('writeSnapshot on %s', (dialect) => {
  let pg: LocalPostgres | undefined
  let db: Db
  let dir: string
  let signer: NoteSigner
  let verifierKey: string

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'donottrain-snapshot-'))
    if (dialect === 'postgres') pg = await startPostgres()
    db = openDb(pg ? { dialect: 'postgres', url: pg.url } : { dialect: 'sqlite', path: join(dir, 'db.sqlite') })
    await db.migrateToLatest()
    const keys = await generateNoteKey(ORIGIN)
    const parsed = await parseSignerKey(keys.signerKey)
    if (!parsed.ok) throw parsed.error
    signer = parsed.value
    verifierKey = keys.verifierKey
    const rows = [
      row(1, DIDS[0] as string, 'self'),
      row(2, DIDS[1] as string, 'self'),
      row(3, DIDS[1] as string, '3l3qo2vuts222', {
        scope_type: 'collection',
        scope_target: 'app.bsky.feed.post',
        preferences: JSON.stringify({ search: 'deny' }),
      }),
      row(4, DIDS[0] as string, '3l3qo2vuts223', {
        scope_type: 'origin',
        scope_target: 'https://b.example',
        origin_verified: 1,
      }),
    ]
    await db.kysely.insertInto('declaration').values(rows).execute()
    const log = new LogStore(db.kysely as unknown as Kysely<LogSchema>)
    await (db.kysely as unknown as Kysely<LogSchema>).transaction().execute((tx) =>
      log.append(
        tx,
        rows.map((r) => ({
          seq: r.seq,
          kind: 'create',
          did: r.did,
          uri: r.uri,
          cid: r.cid,
          rev: r.rev,
          indexed_at: r.indexed_at,
        })),
      ),
    )
  }, 120_000)
  afterAll(async () => {
    await db?.close()
    await pg?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('writes every declaration sorted by uri, bound to a signed checkpoint of the log, which a crawler verifies', async () => {
    const out = join(dir, `${dialect}.snapshot`)
    const summary = await writeSnapshot({ db: db.kysely, signer, origin: ORIGIN, out, pageSize: 2 })
    expect(summary).toMatchObject({ count: 4, size: 4, origin: ORIGIN })
    const opened = await SnapshotChecker.open(out, { verifierKey })
    if (!opened.ok) throw opened.error
    const snap = opened.value
    expect(snap.checkpoint.size).toBe(4)
    expect(snap.declarationsOf(DIDS[1] as string).map((d) => [d.scope.type, d.logIndex])).toEqual([
      ['collection', 2],
      ['account', 1],
    ])
    expect(snap.declarationsOf(DIDS[0] as string)[0]).toMatchObject({ statement: 'no', logIndex: 0 })
    const web = snap.check('https://b.example/x')
    expect(web.ok && web.value.verdict).toBe('deny')
    // The checkpoint was signed and stored: a second snapshot reuses it.
    const again = await writeSnapshot({ db: db.kysely, signer, origin: ORIGIN, out, pageSize: 1000 })
    expect(again.rootHash).toBe(summary.rootHash)
    const stored = await new LogStore(db.kysely as unknown as Kysely<LogSchema>).checkpointOfSize(4)
    expect(stored?.note).toBe(snap.checkpoint.note)
  })
})
