import { err, ok, type Result } from '@donottrain/lexicon'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import type { ResyncConfig } from '../config.js'
import type { RecordChange } from '../db/record-write.js'
import { CID, commit, DATA, REVS, testIngester } from '../ingest/test-support.js'
import { SyncError } from './errors.js'
import type { FetchOptions } from './repo-fetcher.js'
import { Resyncer } from './resyncer.js'
import type { RepoSnapshot, SyncMode } from './snapshot.js'

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'
const COLL = 'ai.donottrain.declaration'

const cfg: ResyncConfig = {
  concurrency: 2,
  ratePerSecond: 100,
  burst: 100,
  maxRepoBytes: 1 << 20,
  timeoutMs: 1000,
  maxAttempts: 3,
  minBackoffMs: 1,
  maxBackoffMs: 5,
  queueSize: 10,
  holdEvents: 100,
  sweepMs: 60_000,
}

function snapshot(did: string, rev: string, records: RecordChange[] = []): RepoSnapshot {
  return { did, rev, dataCid: DATA, commitCid: CID, records, covered: { collections: [COLL], uris: [] }, mode: 'full' }
}

const declaration = (did: string, rkey: string): RecordChange => ({
  uri: `at://${did}/${COLL}/${rkey}`,
  collection: COLL,
  rkey,
  cid: CID,
  extracted: { source: 'declaration', scope: { type: 'account' }, preferences: { trainAi: 'deny' } },
  proof: Uint8Array.from([1]),
})

/** A fetcher whose answers the test hands out one call at a time. */
function scriptedFetcher() {
  const calls: Array<{
    did: string
    mode: SyncMode
    opts: FetchOptions
    answer(r: Result<RepoSnapshot, SyncError>): void
  }> = []
  let wake: (() => void) | undefined
  return {
    calls,
    fetch(did: string, mode: SyncMode, opts: FetchOptions) {
      return new Promise<Result<RepoSnapshot, SyncError>>((resolve) => {
        const onAbort = () => resolve(err(new SyncError('Aborted', 'aborted')))
        opts.signal?.addEventListener('abort', onAbort, { once: true })
        calls.push({ did, mode, opts, answer: resolve })
        wake?.()
      })
    },
    /** The n-th call (0-based), once it is made. */
    async call(n: number) {
      while (calls.length <= n) await new Promise<void>((resolve) => (wake = resolve))
      return calls[n] as (typeof calls)[number]
    },
  }
}

describe('Resyncer', () => {
  let t: Awaited<ReturnType<typeof testIngester>> | undefined
  let resyncer: Resyncer | undefined
  afterEach(async () => {
    await resyncer?.close()
    await t?.close()
    resyncer = t = undefined
  })

  async function setup(overrides: Partial<ResyncConfig> = {}) {
    const fetcher = scriptedFetcher()
    const snapshots: string[] = []
    const r = new Resyncer({
      cfg: { ...cfg, ...overrides },
      fetcher,
      log: pino({ level: 'silent' }),
      ...(await init()),
    })
    async function init() {
      t = await testIngester({
        holdCommit: (event) => resyncer?.hold(event) ?? false,
        onDesync: (did, reason) => resyncer?.request(did, reason),
      })
      return {
        store: t.store,
        metrics: t.metrics,
        ingester: t.ingester,
        onSnapshot: (did: string) => snapshots.push(did),
      }
    }
    resyncer = r
    return { fetcher, r, t: t as NonNullable<typeof t>, snapshots }
  }

  it('deduplicates requests, writes the snapshot and brings the repo back', async () => {
    const { fetcher, r, t, snapshots } = await setup()
    await t.track(DID, REVS[0] as string)
    await t.store.requestResync(DID, 'chain-broken')
    const a = r.sync(DID, 'chain-broken', 'full')
    const b = r.sync(DID, 'backfill', 'targeted')
    expect(r.size).toBe(1)
    const call = await fetcher.call(0)
    expect(call.mode).toBe('full')
    call.answer(ok(snapshot(DID, REVS[2] as string, [declaration(DID, 'self')])))
    expect(await a).toBe('applied')
    expect(await b).toBe('applied')
    expect(fetcher.calls).toHaveLength(1)
    expect(await t.store.getRepo(DID)).toMatchObject({ rev: REVS[2], status: 'active', resync_rev: REVS[2] })
    expect(await t.store.getResyncRequest(DID)).toBeUndefined()
    expect(snapshots).toEqual([DID])
    expect(t.metrics.get('donottrain_resyncs_total', { outcome: 'applied' })).toBe(1)
    await r.idle()
  })

  it('holds the commits that arrive during the fetch and applies the newer ones after the snapshot', async () => {
    const { fetcher, r, t } = await setup()
    await t.track(DID, REVS[0] as string)
    const done = r.sync(DID, 'chain-broken')
    const call = await fetcher.call(0)
    // Arrive while fetching: one the snapshot will cover, two after it.
    await t.ingester.handle(commit(DID, 1, REVS[1] as string, REVS[0] as string))
    await t.ingester.handle(commit(DID, 2, REVS[3] as string, REVS[2] as string))
    await t.ingester.handle(commit(DID, 3, REVS[4] as string, REVS[3] as string))
    expect(t.metrics.get('donottrain_commits_held_total')).toBe(3)
    expect(t.verified).toEqual([])
    call.answer(ok(snapshot(DID, REVS[2] as string)))
    expect(await done).toBe('applied')
    expect(t.metrics.get('donottrain_commits_skipped_total', { reason: 'covered-by-resync' })).toBe(1)
    expect(t.verified).toEqual([REVS[3], REVS[4]])
    expect((await t.store.getRepo(DID))?.rev).toBe(REVS[4])
    expect(t.metrics.total('donottrain_rejections_total')).toBe(0)
    // the hold is over: the next commit goes straight through
    await t.ingester.handle(commit(DID, 4, REVS[5] as string, REVS[4] as string))
    expect((await t.store.getRepo(DID))?.rev).toBe(REVS[5])
    expect(r.size).toBe(0)
  })

  it('retries transient failures with backoff, then leaves the request for the sweep', async () => {
    const { fetcher, r, t } = await setup()
    await t.track(DID, REVS[0] as string)
    await t.store.requestResync(DID, 'chain-broken')
    const done = r.sync(DID, 'chain-broken')
    for (let i = 0; i < cfg.maxAttempts; i++) {
      const call = await fetcher.call(i)
      expect(call.opts.refresh).toBe(i > 0)
      call.answer(err(new SyncError('Unavailable', 'connection refused')))
    }
    expect(await done).toBe('failed')
    expect(fetcher.calls).toHaveLength(cfg.maxAttempts)
    expect(t.metrics.get('donottrain_resync_attempt_failures_total', { reason: 'Unavailable' })).toBe(cfg.maxAttempts)
    expect(await t.store.getResyncRequest(DID)).toMatchObject({
      attempts: 1,
      last_error: expect.stringMatching(/^Unavailable/),
    })
    expect((await t.store.getRepo(DID))?.status).toBe('desynchronized')
    // a non-retryable failure is not retried
    const again = r.sync(DID, 'sweep')
    ;(await fetcher.call(cfg.maxAttempts)).answer(err(new SyncError('HttpError', 'repo not found', { status: 400 })))
    expect(await again).toBe('failed')
    expect(fetcher.calls).toHaveLength(cfg.maxAttempts + 1)
  })

  it('resyncs again when a #sync arrives during the fetch or too many commits were held', async () => {
    const { fetcher, r, t } = await setup({ holdEvents: 1 })
    await t.track(DID, REVS[0] as string)
    const first = r.sync(DID, 'backfill', 'targeted')
    const call = await fetcher.call(0)
    r.request(DID, 'sync')
    call.answer(ok(snapshot(DID, REVS[1] as string)))
    expect(await first).toBe('applied')
    expect((await t.store.getRepo(DID))?.status).toBe('desynchronized')
    const second = await fetcher.call(1)
    expect(second.mode).toBe('full') // the #sync's resync reads the whole repository
    await t.ingester.handle(commit(DID, 1, REVS[2] as string, REVS[1] as string))
    await t.ingester.handle(commit(DID, 2, REVS[3] as string, REVS[2] as string))
    second.answer(ok(snapshot(DID, REVS[2] as string)))
    ;(await fetcher.call(2)).answer(ok(snapshot(DID, REVS[3] as string)))
    await r.idle()
    expect(await t.store.getRepo(DID)).toMatchObject({ rev: REVS[3], status: 'active' })
    expect(t.verified).toEqual([])
  })

  it('writes nothing for an account deleted during the fetch', async () => {
    const { fetcher, r, t } = await setup()
    const done = r.sync(DID, 'backfill', 'targeted')
    const call = await fetcher.call(0)
    r.accountDeleted(DID)
    call.answer(ok(snapshot(DID, REVS[1] as string, [declaration(DID, 'self')])))
    expect(await done).toBe('gone')
    expect(await t.store.getRepo(DID)).toBeUndefined()
    expect(await t.store.declarationsFor(DID)).toEqual([])
  })

  it('refuses requests past its queue size, and aborts everything on close', async () => {
    const { fetcher, r, t } = await setup({ queueSize: 3, concurrency: 1 })
    const dids = ['a', 'b', 'c', 'd'].map((c) => `did:plc:${c.repeat(24)}`)
    const outcomes = dids.map((d) => r.sync(d, 'backfill', 'targeted'))
    expect(await outcomes[3]).toBe('dropped')
    expect(t.metrics.get('donottrain_resync_requests_dropped_total')).toBe(1)
    await fetcher.call(0)
    expect(t.metrics.render()).toMatch(/^donottrain_resync_queue_depth 2$/m)
    expect(t.metrics.render()).toMatch(/^donottrain_resync_running 1$/m)
    await r.close()
    expect(await Promise.all(outcomes.slice(0, 3))).toEqual(['aborted', 'aborted', 'aborted'])
    expect(fetcher.calls).toHaveLength(1)
    expect(r.request(DID, 'late')).toBe(false)
  })

  it('re-asks the requests stored in the database when started', async () => {
    const { fetcher, r, t } = await setup()
    await t.track(DID, REVS[0] as string)
    await t.store.requestResync(DID, 'chain-broken')
    r.start()
    const call = await fetcher.call(0)
    expect(call.did).toBe(DID)
    call.answer(ok(snapshot(DID, REVS[1] as string)))
    await r.idle()
    expect(await t.store.getResyncRequest(DID)).toBeUndefined()
  })
})
