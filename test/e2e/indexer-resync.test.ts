import { isDeepStrictEqual } from 'node:util'
import type { AtpAgent } from '@atproto/api'
import { bskyIds, ids, scopes } from '@donottrain/lexicon'
import { FetchFailedError, type SafeFetch, SafeFetcher } from '@donottrain/verifier'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LocalNetwork, startLocalNetwork, type TestAccount, waitFor } from '../src/index.js'
import { startTestIndexer, type TestIndexer } from './support/indexer.js'

const now = () => new Date().toISOString()
const DECL = ids.AiDonottrainDeclaration

/** uri → cid of every record that should be a declaration, read from the PDS (the truth). */
async function pdsTruth(agent: AtpAgent, did: string): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for (const collection of [DECL, bskyIds.post]) {
    let cursor: string | undefined
    do {
      const res = await agent.com.atproto.repo.listRecords({ repo: did, collection, limit: 100, cursor })
      for (const r of res.data.records) {
        const text = (r.value as { text?: unknown }).text
        if (collection === DECL || (typeof text === 'string' && text.includes('#donottrain'))) out.set(r.uri, r.cid)
      }
      cursor = res.data.records.length > 0 ? res.data.cursor : undefined
    } while (cursor)
  }
  return out
}

type ScopeInput = { $type: string; [key: string]: unknown }
const declare = (
  account: TestAccount,
  prefs: Record<string, string>,
  scope: ScopeInput = scopes.account(),
  rkey?: string,
) =>
  rkey
    ? account.agent.com.atproto.repo.putRecord({
        repo: account.did,
        collection: DECL,
        rkey,
        record: { $type: DECL, scope, preferences: prefs, createdAt: now() },
      })
    : account.agent.com.atproto.repo.createRecord({
        repo: account.did,
        collection: DECL,
        record: { $type: DECL, scope, preferences: prefs, createdAt: now() },
      })

const rkeyOf = (uri: string) => uri.split('/').pop() as string

function metric(indexer: TestIndexer, name: string, labels: Record<string, string> = {}): number {
  return indexer.metrics.get(name, labels)
}

describe('indexer resync from the PDS', () => {
  let net: LocalNetwork
  let indexer: TestIndexer

  beforeAll(async () => {
    net = await startLocalNetwork()
    indexer = await startTestIndexer(net, { env: { INDEXER_RESYNC_MIN_BACKOFF_SECONDS: '1' } })
  })
  afterAll(async () => {
    await indexer?.close()
    await net?.close()
  })

  const stored = async (did: string) =>
    new Map((await indexer.store.declarationsFor(did)).map((r) => [r.uri, r.cid] as [string, string]))
  const inSync = (account: TestAccount) =>
    waitFor(
      async () => {
        const [truth, have, repo] = await Promise.all([
          pdsTruth(account.agent, account.did),
          stored(account.did),
          indexer.store.getRepo(account.did),
        ])
        return isDeepStrictEqual(have, truth) && repo?.status === 'active' && truth
      },
      { what: `the store to equal the PDS for ${account.handle}`, timeoutMs: 30_000 },
    )
  const kinds = async (uri: string) =>
    (
      await indexer.store.kysely.selectFrom('change').select('kind').where('uri', '=', uri).orderBy('seq').execute()
    ).map((c) => c.kind)

  it('resyncs after a broken chain: a declaration deleted meanwhile becomes a tombstone', async () => {
    const alice = await net.createAccount('alice')
    await declare(alice, { trainAi: 'deny' }, scopes.account(), 'self')
    const scoped = await declare(alice, { aiInput: 'deny' }, scopes.collection(bskyIds.post))
    await alice.agent.post({ text: 'sketch #donottrain', createdAt: now() })
    expect((await inSync(alice)).size).toBe(3)
    const before = { rejections: indexer.metrics.total('donottrain_rejections_total') }

    // The stored chain no longer matches the PDS: the next commit's prevData breaks it.
    const repo = await indexer.store.getRepo(alice.did)
    await indexer.store.kysely
      .updateTable('repo')
      .set({ data_cid: repo?.commit_cid as string })
      .where('did', '=', alice.did)
      .execute()
    // That next commit deletes a declaration: the indexer only learns it from the resync.
    await alice.agent.com.atproto.repo.deleteRecord({
      repo: alice.did,
      collection: DECL,
      rkey: rkeyOf(scoped.data.uri),
    })
    const added = await declare(alice, { trainGenai: 'deny' }, scopes.collection(bskyIds.post))
    const truth = await inSync(alice)

    expect(truth.has(scoped.data.uri)).toBe(false)
    expect(truth.get(added.data.uri)).toBe(added.data.cid)
    expect(await kinds(scoped.data.uri)).toEqual(['create', 'delete'])
    expect(await kinds(added.data.uri)).toEqual(['create'])
    expect(metric(indexer, 'donottrain_rejections_total', { reason: 'chain-broken' })).toBe(1)
    expect(indexer.metrics.total('donottrain_rejections_total')).toBe(before.rejections + 1)
    expect(metric(indexer, 'donottrain_resyncs_total', { outcome: 'applied' })).toBeGreaterThanOrEqual(1)
    const latest = await alice.agent.com.atproto.sync.getLatestCommit({ did: alice.did })
    await waitFor(async () => (await indexer.store.getRepo(alice.did))?.rev === latest.data.rev, {
      what: 'the repo rev to reach the PDS head',
    })
    const state = await indexer.store.getRepo(alice.did)
    expect(state?.resync_rev).not.toBeNull()
    expect(await indexer.store.getResyncRequest(alice.did)).toBeUndefined()

    // Afterwards the chain continues from the snapshot: later commits are accepted as usual.
    const later = await declare(alice, { search: 'allow' }, scopes.collection(bskyIds.profile))
    expect((await inSync(alice)).get(later.data.uri)).toBe(later.data.cid)
    expect(indexer.metrics.total('donottrain_rejections_total')).toBe(before.rejections + 1)
  })

  it('resyncs on a valid #sync ahead of the stored rev, and not on one that is not', async () => {
    const bob = await net.createAccount('bob')
    await declare(bob, { trainAi: 'deny' }, scopes.account(), 'self')
    await inSync(bob)
    const syncs = () => metric(indexer, 'donottrain_events_total', { type: 'sync' })
    const resyncs = () => indexer.metrics.total('donottrain_resyncs_total')

    // Reactivation emits a #sync at the current commit: nothing to do.
    let seen = syncs()
    const before = resyncs()
    await bob.agent.com.atproto.server.deactivateAccount({})
    await bob.agent.com.atproto.server.activateAccount()
    await waitFor(() => syncs() > seen, { what: 'the #sync of the reactivation' })
    expect(resyncs()).toBe(before)

    // Pretend the indexer is behind: an old rev and a declaration the PDS no longer has.
    const ghost = `at://${bob.did}/${DECL}/3l2s5xxv2ze2c`
    const row = await indexer.store.kysely
      .selectFrom('declaration')
      .selectAll()
      .where('did', '=', bob.did)
      .executeTakeFirstOrThrow()
    await indexer.store.kysely
      .insertInto('declaration')
      .values({ ...row, uri: ghost, rkey: '3l2s5xxv2ze2c' })
      .execute()
    await indexer.store.kysely.updateTable('repo').set({ rev: '2222222222222' }).where('did', '=', bob.did).execute()
    seen = syncs()
    await bob.agent.com.atproto.server.deactivateAccount({})
    await bob.agent.com.atproto.server.activateAccount()
    await waitFor(() => syncs() > seen, { what: 'the #sync of the second reactivation' })
    await inSync(bob)
    expect(await kinds(ghost)).toEqual(['delete'])
    expect(resyncs()).toBe(before + 1)
    expect(metric(indexer, 'donottrain_rejections_total', { reason: 'sync-bad-signature' })).toBe(0)
  })
})

describe('indexer resync when the PDS is unreachable', () => {
  let net: LocalNetwork
  let indexer: TestIndexer
  let fetcher: SafeFetcher
  let down = false
  let refused = 0

  beforeAll(async () => {
    net = await startLocalNetwork()
    fetcher = new SafeFetcher({ allowLoopback: true, maxBytes: 32 * 1024 * 1024 })
    // An outage of the PDS as the resync sees it: connections refused while `down`.
    const pdsFetch: SafeFetch = async (url, init) => {
      if (down) {
        refused++
        return { ok: false, error: new FetchFailedError('Network', `connection refused url=${String(url)}`) }
      }
      return fetcher.fetch(url, init)
    }
    indexer = await startTestIndexer(net, {
      env: { INDEXER_RESYNC_MIN_BACKOFF_SECONDS: '1', INDEXER_RESYNC_MAX_BACKOFF_SECONDS: '2' },
      overrides: { pdsFetch },
    })
  })
  afterAll(async () => {
    await indexer?.close()
    await fetcher?.close()
    await net?.close()
  })

  it('retries with backoff, counts the failures, and loses nothing written meanwhile', async () => {
    const carol = await net.createAccount('carol')
    const first = await declare(carol, { trainAi: 'deny' }, scopes.collection(bskyIds.post))
    await waitFor(async () => (await indexer.store.declarationsFor(carol.did)).length === 1, { what: 'indexed' })

    down = true
    const repo = await indexer.store.getRepo(carol.did)
    await indexer.store.kysely
      .updateTable('repo')
      .set({ data_cid: repo?.commit_cid as string })
      .where('did', '=', carol.did)
      .execute()
    const second = await declare(carol, { aiInput: 'deny' }, scopes.collection(bskyIds.post))
    await waitFor(() => refused >= 2, { what: 'two refused resync attempts', timeoutMs: 20_000 })
    // Written while the resync cannot reach the PDS: held or covered, never lost.
    await carol.agent.com.atproto.repo.deleteRecord({ repo: carol.did, collection: DECL, rkey: rkeyOf(first.data.uri) })
    const third = await declare(carol, { search: 'deny' }, scopes.collection(bskyIds.post))
    expect((await indexer.store.getRepo(carol.did))?.status).toBe('desynchronized')
    expect(await indexer.store.getResyncRequest(carol.did)).toBeDefined()
    down = false

    const want = new Map([
      [second.data.uri, second.data.cid],
      [third.data.uri, third.data.cid],
    ])
    await waitFor(
      async () => {
        const have = new Map((await indexer.store.declarationsFor(carol.did)).map((r) => [r.uri, r.cid]))
        return isDeepStrictEqual(have, want) && (await indexer.store.getRepo(carol.did))?.status === 'active'
      },
      { what: 'the store to catch up after the outage', timeoutMs: 30_000 },
    )
    expect(isDeepStrictEqual(await pdsTruth(carol.agent, carol.did), want)).toBe(true)
    expect(
      indexer.metrics.get('donottrain_resync_attempt_failures_total', { reason: 'Unavailable' }),
    ).toBeGreaterThanOrEqual(2)
    expect(indexer.metrics.get('donottrain_resyncs_total', { outcome: 'applied' })).toBe(1)
    expect(indexer.metrics.get('donottrain_resyncs_total', { outcome: 'failed' })).toBe(0)
    expect(await indexer.store.getResyncRequest(carol.did)).toBeUndefined()
    const text = await (await fetch(`${indexer.url}/metrics`)).text()
    expect(text).toMatch(/^donottrain_resync_queue_depth 0$/m)
    expect(text).toMatch(/^donottrain_firehose_lag_seconds [\d.]+$/m)
    expect(text).toMatch(/^donottrain_firehose_queue_depth \d+$/m)
  })
})
