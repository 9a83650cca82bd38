import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type LocalPostgres, startPostgres } from '@donottrain/test'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Extracted } from '../processors/types.js'
import { type Db, openDb } from './db.js'
import { type CommitWrite, Store } from './store.js'

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'
const COLL = 'ai.donottrain.declaration'
const CID1 = 'bafyreidfayvfuwqa7qlnopdjiqrxzs6blmoeu4rujcjtnci5beludirz2a'
const CID2 = 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm'
const DATA = 'bafyreihjxc5gzmuwyqydm5nbsbdo5mczzogrxpypz2e3s4dxc6vzdgem4q'
const SOURCE = 'ws://relay.test/xrpc/com.atproto.sync.subscribeRepos'
const account: Extracted = {
  source: 'declaration',
  scope: { type: 'account' },
  preferences: { trainAi: 'deny' },
  createdAt: '2026-11-28T12:00:00.000Z',
}

function commit(rev: string, cid: string | null, extracted: Extracted | null, did = DID): CommitWrite {
  return {
    did,
    rev,
    dataCid: DATA,
    commitCid: CID2,
    track: true,
    changes: [
      {
        uri: `at://${did}/${COLL}/self`,
        collection: COLL,
        rkey: 'self',
        cid,
        extracted,
        proof: extracted ? Uint8Array.from([1, 2, 3]) : null,
      },
    ],
  }
}

describe.each(['sqlite', 'postgres'] as const)('Store on %s', (dialect) => {
  let db: Db
  let store: Store
  let pg: LocalPostgres | undefined
  let dir: string | undefined

  beforeAll(async () => {
    if (dialect === 'postgres') {
      pg = await startPostgres()
      db = openDb({ dialect: 'postgres', url: pg.url })
    } else {
      dir = mkdtempSync(join(tmpdir(), 'donottrain-store-'))
      db = openDb({ dialect: 'sqlite', path: join(dir, 'indexer.sqlite') })
    }
    await db.migrateToLatest()
    await db.migrateToLatest() // idempotent
    store = new Store(db)
  })
  afterAll(async () => {
    await db?.close()
    await pg?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  const changes = () => db.kysely.selectFrom('change').selectAll().orderBy('seq').execute()

  it('creates a declaration, its change, the repo state and the cursor in one write', async () => {
    const kinds = await store.applyCommit(commit('3l2s5xxv2ze2a', CID1, account), { source: SOURCE, seq: 10 })
    expect(kinds).toEqual(['create'])
    const rows = await store.declarationsFor(DID)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      uri: `at://${DID}/${COLL}/self`,
      cid: CID1,
      scope_type: 'account',
      source: 'declaration',
    })
    expect(JSON.parse(rows[0]?.preferences ?? '')).toEqual({ trainAi: 'deny' })
    expect(await store.getCursor(SOURCE)).toBe(10)
    expect((await store.getRepo(DID))?.rev).toBe('3l2s5xxv2ze2a')
    const feed = await changes()
    expect(feed.map((c) => c.kind)).toEqual(['create'])
    expect(JSON.parse(feed[0]?.view ?? '')).toMatchObject({
      uri: `at://${DID}/${COLL}/self`,
      preferences: { trainAi: 'deny' },
    })
    expect(await store.trackedDids()).toEqual(new Set([DID]))
  })

  it('is idempotent: the same version again writes nothing new', async () => {
    expect(await store.applyCommit(commit('3l2s5xxv2ze2a', CID1, account), { source: SOURCE, seq: 10 })).toEqual([])
    expect((await changes()).length).toBe(1)
  })

  it('updates, then revokes with a tombstone', async () => {
    const updated = { ...account, preferences: { trainAi: 'deny', search: 'allow' } } as Extracted
    expect(await store.applyCommit(commit('3l2s5xxv2ze2b', CID2, updated), { source: SOURCE, seq: 11 })).toEqual([
      'update',
    ])
    expect((await store.declarationsFor(DID))[0]?.cid).toBe(CID2)
    expect(await store.applyCommit(commit('3l2s5xxv2ze2c', null, null), { source: SOURCE, seq: 12 })).toEqual([
      'delete',
    ])
    expect(await store.declarationsFor(DID)).toEqual([])
    const feed = await changes()
    expect(feed.map((c) => c.kind)).toEqual(['create', 'update', 'delete'])
    expect(feed[2]).toMatchObject({ uri: `at://${DID}/${COLL}/self`, cid: null, view: null })
    // deleting what is not there writes nothing
    expect(await store.applyCommit(commit('3l2s5xxv2ze2d', null, null), { source: SOURCE, seq: 13 })).toEqual([])
  })

  it('hides, restores and purges on account status changes', async () => {
    const did = 'did:plc:44ybard66vv44zksje25o7dz'
    await store.applyCommit(commit('3l2s5xxv2ze2a', CID1, account, did))
    expect(await store.setAccountStatus(did, 'deactivated')).toBe('hide')
    expect(await store.setAccountStatus(did, 'deactivated')).toBeNull()
    expect((await store.getRepo(did))?.status).toBe('deactivated')
    expect(await store.declarationsFor(did)).toHaveLength(1)
    expect(await store.setAccountStatus(did, 'active')).toBe('restore')
    expect(await store.setAccountStatus(did, 'desynchronized')).toBeNull()
    expect(await store.setAccountStatus(did, 'deleted')).toBe('purge')
    expect(await store.declarationsFor(did)).toEqual([])
    expect(await store.getRepo(did)).toBeUndefined()
    expect(
      await store.setAccountStatus('did:plc:unknownunknownunknownxx', 'deleted', { source: SOURCE, seq: 20 }),
    ).toBeNull()
    expect(await store.getCursor(SOURCE)).toBe(20)
  })

  it('rolls back the whole write, cursor included, when any part fails', async () => {
    const did = 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa'
    const before = { cursor: await store.getCursor(SOURCE), changes: (await changes()).length }
    // The declaration and its change are written first; the cursor row then violates NOT NULL.
    const failing = store.applyCommit(commit('3l2s5xxv2ze2e', CID1, account, did), {
      source: null as unknown as string,
      seq: 99,
    })
    await expect(failing).rejects.toThrow()
    expect(await store.declarationsFor(did)).toEqual([])
    expect(await store.getRepo(did)).toBeUndefined()
    expect((await changes()).length).toBe(before.changes)
    expect(await store.getCursor(SOURCE)).toBe(before.cursor)
  })

  it('stores hostile strings verbatim (parameterised SQL)', async () => {
    const did = 'did:plc:bbbbbbbbbbbbbbbbbbbbbbbb'
    const statement = `'); DROP TABLE declaration; -- \u0000? $1 ${'x'.repeat(100)}`.replace('\u0000', '')
    await store.applyCommit(commit('3l2s5xxv2ze2a', CID1, { ...account, statement }, did))
    expect((await store.declarationsFor(did))[0]?.statement).toBe(statement)
    expect((await store.declarationsFor(DID)).length).toBe(0)
  })
})
