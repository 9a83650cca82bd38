import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type LocalPostgres, startPostgres } from '@donottrain/test'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Extracted } from '../processors/types.js'
import { type Db, openDb } from './db.js'
import type { RecordChange } from './record-write.js'
import { Store } from './store.js'

const COLL = 'ai.donottrain.declaration'
const POST = 'app.bsky.feed.post'
const CID1 = 'bafyreidfayvfuwqa7qlnopdjiqrxzs6blmoeu4rujcjtnci5beludirz2a'
const CID2 = 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm'
const DATA = 'bafyreihjxc5gzmuwyqydm5nbsbdo5mczzogrxpypz2e3s4dxc6vzdgem4q'
const SOURCE = 'ws://relay.test/xrpc/com.atproto.sync.subscribeRepos'
const account: Extracted = { source: 'declaration', scope: { type: 'account' }, preferences: { trainAi: 'deny' } }
const origin = (o: string): Extracted => ({
  source: 'declaration',
  scope: { type: 'origin', origin: o, verified: false },
  preferences: { trainAi: 'deny' },
})

let n = 0
const did = () =>
  `did:plc:${String(++n)
    .padStart(24, 'a')
    .replace(/\d/g, (d) => 'bcdefghijk'[Number(d)] as string)}`

function rec(d: string, collection: string, rkey: string, cid: string, extracted: Extracted): RecordChange {
  return { uri: `at://${d}/${collection}/${rkey}`, collection, rkey, cid, extracted, proof: Uint8Array.from([9]) }
}

describe.each(['sqlite', 'postgres'] as const)('sync store methods on %s', (dialect) => {
  let db: Db
  let store: Store
  let pg: LocalPostgres | undefined
  let dir: string | undefined

  beforeAll(async () => {
    if (dialect === 'postgres') {
      pg = await startPostgres()
      db = openDb({ dialect: 'postgres', url: pg.url })
    } else {
      dir = mkdtempSync(join(tmpdir(), 'donottrain-sync-store-'))
      db = openDb({ dialect: 'sqlite', path: join(dir, 'indexer.sqlite') })
    }
    await db.migrateToLatest()
    store = new Store(db)
  })
  afterAll(async () => {
    await db?.close()
    await pg?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  const kinds = async (d: string) =>
    (await db.kysely.selectFrom('change').select('kind').where('did', '=', d).orderBy('seq').execute()).map(
      (c) => c.kind,
    )
  const uris = async (d: string) => (await store.declarationsFor(d)).map((r) => r.uri)

  describe('requestResync', () => {
    it('stores a request with the cursor, marks an active tracked repo desynchronized, and keeps it so', async () => {
      const d = did()
      await store.applyCommit({
        did: d,
        rev: '3l2s5xxv2ze2a',
        dataCid: DATA,
        commitCid: CID2,
        track: true,
        changes: [rec(d, COLL, 'self', CID1, account)],
      })
      await store.requestResync(d, 'chain-broken', { source: SOURCE, seq: 41 })
      expect(await store.getCursor(SOURCE)).toBe(41)
      expect((await store.getRepo(d))?.status).toBe('desynchronized')
      expect(await store.getResyncRequest(d)).toMatchObject({ did: d, reason: 'chain-broken', attempts: 0 })
      // reactivation does not clear the desync; deactivation hides as usual
      expect(await store.setAccountStatus(d, 'active')).toBeNull()
      expect((await store.getRepo(d))?.status).toBe('desynchronized')
      // an untracked DID gets a request only
      const u = did()
      await store.requestResync(u, 'did-unavailable')
      expect(await store.getRepo(u)).toBeUndefined()
      expect((await store.getResyncRequest(u))?.reason).toBe('did-unavailable')
    })

    it('lists requests not tried since a time, and notes failures', async () => {
      const d = did()
      await store.requestResync(d, 'sync')
      const all = await store.resyncRequests(1000, new Date(Date.now() + 1000).toISOString())
      expect(all.map((r) => r.did)).toContain(d)
      await store.noteResyncFailure(d, 'Unavailable: connection refused')
      const row = await store.getResyncRequest(d)
      expect(row).toMatchObject({ attempts: 1, last_error: 'Unavailable: connection refused' })
      const before = await store.resyncRequests(
        1000,
        new Date(Date.parse(row?.last_attempt_at ?? '') - 1).toISOString(),
      )
      expect(before.map((r) => r.did)).not.toContain(d)
      // an inactive account's request waits for its reactivation
      const off = did()
      await store.applyCommit({
        did: off,
        rev: '3l2s5xxv2ze2a',
        dataCid: DATA,
        commitCid: CID2,
        track: true,
        changes: [],
      })
      await store.requestResync(off, 'sync')
      const later = new Date(Date.now() + 1000).toISOString()
      expect((await store.resyncRequests(1000, later)).map((r) => r.did)).toContain(off)
      await store.setAccountStatus(off, 'deactivated')
      expect((await store.resyncRequests(1000, later)).map((r) => r.did)).not.toContain(off)
    })
  })

  describe('applySnapshot', () => {
    it('upserts, tombstones what the snapshot covers and lacks, and brings the repo back to active', async () => {
      const d = did()
      await store.applyCommit({
        did: d,
        rev: '3l2s5xxv2ze2a',
        dataCid: DATA,
        commitCid: CID2,
        track: true,
        changes: [
          rec(d, COLL, 'self', CID1, account),
          rec(d, COLL, '3l2s5xxv2zaaa', CID1, account),
          rec(d, POST, '3l2s5xxv2zbbb', CID1, account),
        ],
      })
      await store.requestResync(d, 'chain-broken')
      const res = await store.applySnapshot({
        did: d,
        rev: '3l2s5xxv2ze2f',
        dataCid: CID1,
        commitCid: CID1,
        records: [rec(d, COLL, 'self', CID2, account), rec(d, COLL, '3l2s5xxv2zccc', CID1, account)],
        covered: { collections: [COLL], uris: [] },
        requireTracked: true,
      })
      expect(res).toEqual({ outcome: 'applied', kinds: ['update', 'create', 'delete'], tracked: true })
      // the post is outside what was covered: kept
      expect(await uris(d)).toEqual([
        `at://${d}/${COLL}/3l2s5xxv2zccc`,
        `at://${d}/${COLL}/self`,
        `at://${d}/${POST}/3l2s5xxv2zbbb`,
      ])
      const repo = await store.getRepo(d)
      expect(repo).toMatchObject({
        rev: '3l2s5xxv2ze2f',
        data_cid: CID1,
        status: 'active',
        resync_rev: '3l2s5xxv2ze2f',
      })
      expect(await store.getResyncRequest(d)).toBeUndefined()
      expect(await kinds(d)).toEqual(['create', 'create', 'create', 'update', 'create', 'delete'])

      // the same snapshot again changes nothing; covering a URI deletes it
      const again = await store.applySnapshot({
        did: d,
        rev: '3l2s5xxv2ze2f',
        dataCid: CID1,
        commitCid: CID1,
        records: [rec(d, COLL, 'self', CID2, account), rec(d, COLL, '3l2s5xxv2zccc', CID1, account)],
        covered: { collections: [COLL], uris: [`at://${d}/${POST}/3l2s5xxv2zbbb`] },
      })
      expect(again.kinds).toEqual(['delete'])
    })

    it('writes nothing when stale or when the repo is gone, and tracks a new repo only with declarations', async () => {
      const d = did()
      await store.applyCommit({
        did: d,
        rev: '3l2s5xxv2ze2k',
        dataCid: DATA,
        commitCid: CID2,
        track: true,
        changes: [rec(d, COLL, 'self', CID1, account)],
      })
      const base = { dataCid: CID1, commitCid: CID1, covered: { collections: [COLL], uris: [] } }
      expect(await store.applySnapshot({ ...base, did: d, rev: '3l2s5xxv2ze2a', records: [] })).toMatchObject({
        outcome: 'stale',
      })
      expect(await uris(d)).toHaveLength(1)
      const gone = did()
      expect(
        await store.applySnapshot({ ...base, did: gone, rev: '3l2s5xxv2ze2a', records: [], requireTracked: true }),
      ).toMatchObject({ outcome: 'gone', tracked: false })
      const empty = did()
      await store.requestResync(empty, 'backfill')
      expect(await store.applySnapshot({ ...base, did: empty, rev: '3l2s5xxv2ze2a', records: [] })).toMatchObject({
        outcome: 'empty',
      })
      expect(await store.getRepo(empty)).toBeUndefined()
      expect(await store.getResyncRequest(empty)).toBeUndefined()
      const fresh = did()
      const res = await store.applySnapshot({
        ...base,
        did: fresh,
        rev: '3l2s5xxv2ze2a',
        records: [rec(fresh, COLL, 'self', CID1, account)],
        keepDesynchronized: true,
      })
      expect(res).toEqual({ outcome: 'applied', kinds: ['create'], tracked: true })
      expect((await store.getRepo(fresh))?.status).toBe('desynchronized')
    })
  })

  describe('origin checks', () => {
    it('flips the flag with an update change, keeps it on an inconclusive check, ignores an old version', async () => {
      const d = did()
      const o = rec(d, COLL, '3l2s5xxv2zooo', CID1, origin('https://a.example.com'))
      await store.applyCommit({
        did: d,
        rev: '3l2s5xxv2ze2a',
        dataCid: DATA,
        commitCid: CID2,
        track: true,
        changes: [o],
      })
      expect((await store.uncheckedOrigins('', 100)).map((r) => r.uri)).toContain(o.uri)
      expect(await store.recordOriginCheck(o.uri, CID1, false, null)).toBeNull()
      expect((await store.uncheckedOrigins('', 100)).map((r) => r.uri)).not.toContain(o.uri)
      expect(await store.recordOriginCheck(o.uri, CID1, true, 'well-known')).toBe('update')
      expect(await store.recordOriginCheck(o.uri, CID1, null, null)).toBeNull()
      expect((await store.originDeclarations(d))[0]).toMatchObject({
        origin: 'https://a.example.com',
        origin_verified: 1,
      })
      const feed = await db.kysely.selectFrom('change').selectAll().where('uri', '=', o.uri).orderBy('seq').execute()
      expect(feed.map((c) => c.kind)).toEqual(['create', 'update'])
      expect(JSON.parse(feed[1]?.view ?? '')).toMatchObject({ originVerified: true, cid: CID1 })
      expect(await store.recordOriginCheck(o.uri, CID2, false, null)).toBeNull() // not the stored version

      // a new version for the same origin keeps the binding; another origin starts unverified
      const same = { ...o, cid: CID2 }
      await store.applyCommit({
        did: d,
        rev: '3l2s5xxv2ze2b',
        dataCid: DATA,
        commitCid: CID2,
        track: true,
        changes: [same],
      })
      expect((await store.originDeclarations(d))[0]?.origin_verified).toBe(1)
      const moved = { ...rec(d, COLL, '3l2s5xxv2zooo', CID1, origin('https://b.example.com')) }
      await store.applyCommit({
        did: d,
        rev: '3l2s5xxv2ze2c',
        dataCid: DATA,
        commitCid: CID2,
        track: true,
        changes: [moved],
      })
      expect((await store.originDeclarations(d))[0]).toMatchObject({
        origin: 'https://b.example.com',
        origin_verified: 0,
      })
      expect(await store.recordOriginCheck(o.uri, CID1, false, null)).toBeNull()
      // purge removes the checks with the declarations
      await store.setAccountStatus(d, 'deleted')
      expect(await db.kysely.selectFrom('origin_check').selectAll().where('uri', '=', o.uri).execute()).toEqual([])
    })
  })

  describe('backfill progress', () => {
    it('pages, states, counts, completes, and starts over after completion or for another source', async () => {
      const b = store.backfill
      expect((await b.startOrResume('https://relay.one')).resumed).toBe(false)
      const [d1, d2, d3] = [did(), did(), did()]
      await b.savePage('collection:x', [d1, d2], 'pending', 'c1')
      await b.savePage('collection:x', [d2, d3], 'pending', null)
      expect(await b.cursor('collection:x')).toEqual({ cursor: null, done: true })
      expect((await b.startOrResume('https://relay.one')).resumed).toBe(true)
      expect(await b.repos('pending', '', 2)).toEqual([d1, d2].sort())
      await b.setRepoState(d1, 'done')
      await b.setRepoState(d2, 'failed', 'x'.repeat(900))
      expect(await b.counts()).toEqual({ candidate: 0, pending: 1, done: 1, skipped: 0, failed: 1 })
      await b.complete()
      expect((await b.run())?.completed_at).not.toBeNull()
      expect((await b.startOrResume('https://relay.one')).resumed).toBe(false)
      expect(await b.counts()).toEqual({ candidate: 0, pending: 0, done: 0, skipped: 0, failed: 0 })
      expect(await b.cursor('collection:x')).toBeUndefined()
      await b.savePage('listRepos', [d1], 'candidate', 'c')
      expect((await b.startOrResume('https://relay.two')).resumed).toBe(false)
      expect(await b.cursor('listRepos')).toBeUndefined()
    })
  })
})
