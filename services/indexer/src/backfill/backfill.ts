import type { Result } from '@donottrain/lexicon'
import type { Logger } from 'pino'
import type { BackfillRepoState } from '../db/backfill-store.js'
import type { Store } from '../db/store.js'
import type { Metrics } from '../metrics.js'
import type { SyncError } from '../sync/errors.js'
import { LISTED_COLLECTIONS } from '../sync/repo-fetcher.js'
import type { ResyncOutcome } from '../sync/resyncer.js'
import type { SyncMode } from '../sync/snapshot.js'
import { sleep } from '../work/sleep.js'
import { type Lister, type ListPage, listingKey } from './listing.js'

export interface BackfillDeps {
  store: Store
  metrics: Metrics
  log: Logger
  /** Where repositories are listed (the relay, or a PDS). */
  source: string
  lister: Lister
  /** The resync machinery: one verified snapshot per repository. */
  resyncer: { sync(did: string, reason: string, mode: SyncMode): Promise<ResyncOutcome> }
  /** The collections a repository holds (listRepos fallback only). */
  collections(did: string, signal: AbortSignal): Promise<Result<string[], SyncError>>
  /** Repositories fetched at once. */
  concurrency: number
  onProgress?(progress: BackfillProgress): void
  /** How often progress is logged. Default 10 s. */
  logEveryMs?: number
}

export interface BackfillProgress {
  phase: 'listing' | 'fetching' | 'done' | 'stopped'
  /** Listing used: listReposByCollection, or the listRepos + describeRepo fallback. */
  via: 'listReposByCollection' | 'listRepos' | null
  /** Repositories found so far (with declarations, or still to be described). */
  found: number
  done: number
  skipped: number
  failed: number
  /** Found and not yet fetched (or described). */
  remaining: number
}

export interface BackfillSummary extends BackfillProgress {
  resumed: boolean
  completed: boolean
}

const BATCH = 100

/**
 * Backfill: finds existing declarations and fetches each repository's with proofs.
 *
 * Listing: com.atproto.sync.listReposByCollection for the declaration collection and the two
 * foreign lexicons; a host without it gets com.atproto.sync.listRepos, each repository then
 * described (com.atproto.repo.describeRepo) to see whether it holds one of them. Fetching: a
 * record-by-record snapshot per repository through the resync machinery (proofs, reconcile,
 * firehose commits held meanwhile). Progress — each listing's cursor and each repository's
 * state — is in the database, so an interrupted backfill resumes where it stopped; a finished
 * one starts over on the next --backfill.
 */
export class Backfill {
  readonly done: Promise<BackfillSummary>
  private readonly abort = new AbortController()
  private state: BackfillProgress = {
    phase: 'listing',
    via: null,
    found: 0,
    done: 0,
    skipped: 0,
    failed: 0,
    remaining: 0,
  }
  private lastLog = 0

  constructor(private readonly deps: BackfillDeps) {
    deps.metrics.counter('donottrain_backfill_repos_total', 'Repositories the backfill finished, by outcome')
    deps.metrics.gauge('donottrain_backfill_remaining', 'Repositories the backfill found and has not fetched', () =>
      this.state.phase === 'done' ? 0 : this.state.remaining,
    )
    this.done = this.run()
  }

  progress(): BackfillProgress {
    return { ...this.state }
  }

  /** Stops (progress stays in the database) and resolves when the backfill has. */
  async stop(): Promise<BackfillSummary> {
    this.abort.abort()
    return this.done
  }

  private async run(): Promise<BackfillSummary> {
    const { store, log, source } = this.deps
    let resumed = false
    try {
      const start = await store.backfill.startOrResume(source)
      resumed = start.resumed
      await this.refreshCounts()
      log.info({ source, resumed, ...this.state }, resumed ? 'backfill resumed' : 'backfill started')
      const listed = await this.list()
      if (listed) {
        this.state.phase = 'fetching'
        this.report(true)
        await this.fetchAll('candidate')
        await this.fetchAll('pending')
      }
      await this.refreshCounts()
      const completed = listed && !this.abort.signal.aborted && this.state.remaining === 0
      if (completed) await store.backfill.complete()
      this.state.phase = completed ? 'done' : 'stopped'
      this.report(true)
      log.info({ ...this.state }, completed ? 'backfill complete' : 'backfill stopped; it resumes on the next run')
      return { ...this.state, resumed, completed }
    } catch (err) {
      log.error({ err }, 'backfill failed; it resumes on the next run')
      this.state.phase = 'stopped'
      this.report(true)
      return { ...this.state, resumed, completed: false }
    }
  }

  /** Lists every repository to fetch into the database; false when stopped first. */
  private async list(): Promise<boolean> {
    const { store, lister } = this.deps
    let via: 'listReposByCollection' | 'listRepos' = (await store.backfill.cursor(listingKey('listRepos')))
      ? 'listRepos'
      : 'listReposByCollection'
    if (via === 'listReposByCollection') {
      for (const collection of LISTED_COLLECTIONS) {
        const key = listingKey('collection', collection)
        const res = await this.listing(key, (cursor) => lister.byCollection(collection, cursor, this.abort.signal))
        if (res === 'unsupported') {
          via = 'listRepos'
          break
        }
        if (res === 'stopped') return false
      }
    }
    this.state.via = via
    if (via === 'listRepos') {
      const res = await this.listing(listingKey('listRepos'), (cursor) => lister.all(cursor, this.abort.signal))
      if (res !== 'listed') return false
    }
    return true
  }

  /** Pages through one listing from its saved cursor, saving each page with the cursor after it. */
  private async listing(
    key: string,
    page: (cursor: string | undefined) => Promise<ListPage>,
  ): Promise<'listed' | 'unsupported' | 'stopped'> {
    const { store, log } = this.deps
    const saved = await store.backfill.cursor(key)
    if (saved?.done) return 'listed'
    let cursor = saved?.cursor ?? undefined
    let failures = 0
    for (;;) {
      if (this.abort.signal.aborted) return 'stopped'
      const res = await page(cursor)
      if (res.kind === 'unsupported') return 'unsupported'
      if (res.kind === 'error') {
        if (this.abort.signal.aborted) return 'stopped'
        failures++
        log.warn({ key, failures, err: res.error.message }, 'backfill listing failed; retrying')
        if (!(await sleep(Math.min(60_000, 1000 * 2 ** failures), this.abort.signal))) return 'stopped'
        continue
      }
      failures = 0
      await store.backfill.savePage(key, res.dids, res.state, res.cursor)
      this.state.found += res.dids.length
      this.state.remaining += res.dids.length
      this.report()
      if (res.cursor === null) return 'listed'
      cursor = res.cursor
    }
  }

  /** Fetches (or, for candidates, first describes) every repository in `state`, a few at a time. */
  private async fetchAll(state: BackfillRepoState): Promise<void> {
    const inFlight = new Set<Promise<void>>()
    const limit = this.deps.concurrency
    let after = ''
    while (!this.abort.signal.aborted) {
      const dids = await this.deps.store.backfill.repos(state, after, BATCH)
      for (const did of dids) {
        while (inFlight.size >= limit) await Promise.race(inFlight)
        if (this.abort.signal.aborted) break
        const job: Promise<void> = this.fetchOne(did, state).finally(() => inFlight.delete(job))
        inFlight.add(job)
      }
      if (dids.length < BATCH) break
      after = dids.at(-1) as string
    }
    await Promise.all(inFlight)
  }

  private async fetchOne(did: string, state: BackfillRepoState): Promise<void> {
    const { log, metrics } = this.deps
    const signal = this.abort.signal
    try {
      if (state === 'candidate') {
        const collections = await this.deps.collections(did, signal)
        if (signal.aborted) return
        if (!collections.ok) {
          await this.finish(did, 'failed', collections.error.message)
          return
        }
        if (!collections.value.some((c) => LISTED_COLLECTIONS.includes(c))) {
          await this.finish(did, 'skipped', null)
          return
        }
      }
      for (;;) {
        const outcome = await this.deps.resyncer.sync(did, 'backfill', 'targeted')
        if (outcome === 'aborted' || signal.aborted) return
        if (outcome === 'dropped') {
          // The resync queue is full: wait a little for room.
          if (!(await sleep(1000, signal))) return
          continue
        }
        if (outcome === 'failed') await this.finish(did, 'failed', 'resync failed (see the resync log)')
        else if (outcome === 'gone') await this.finish(did, 'skipped', 'account deleted')
        else await this.finish(did, 'done', null)
        return
      }
    } catch (err) {
      log.error({ err, did }, 'backfill of a repository failed')
      metrics.inc('donottrain_backfill_repos_total', { outcome: 'error' })
    }
  }

  private async finish(did: string, state: 'done' | 'skipped' | 'failed', error: string | null): Promise<void> {
    await this.deps.store.backfill.setRepoState(did, state, error)
    this.deps.metrics.inc('donottrain_backfill_repos_total', { outcome: state })
    this.state[state]++
    this.state.remaining = Math.max(0, this.state.remaining - 1)
    this.report()
  }

  private async refreshCounts(): Promise<void> {
    const c = await this.deps.store.backfill.counts()
    this.state.found = c.candidate + c.pending + c.done + c.skipped + c.failed
    this.state.done = c.done
    this.state.skipped = c.skipped
    this.state.failed = c.failed
    this.state.remaining = c.candidate + c.pending
  }

  private report(force = false): void {
    const progress = this.progress()
    this.deps.onProgress?.(progress)
    const now = Date.now()
    if (force || now - this.lastLog >= (this.deps.logEveryMs ?? 10_000)) {
      this.lastLog = now
      if (!force) this.deps.log.info(progress, 'backfill progress')
    }
  }
}
