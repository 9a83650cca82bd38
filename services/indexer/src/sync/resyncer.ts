import type { Result } from '@donottrain/lexicon'
import type { Logger } from 'pino'
import type { ResyncConfig } from '../config.js'
import type { RecordChange } from '../db/record-write.js'
import type { SnapshotOutcome, Store } from '../db/store.js'
import type { CommitEvent } from '../ingest/ingester.js'
import type { Metrics } from '../metrics.js'
import { backoffMs } from '../work/sleep.js'
import type { SyncError } from './errors.js'
import { HeldCommits } from './held-commits.js'
import type { FetchOptions } from './repo-fetcher.js'
import type { RepoSnapshot, SyncMode } from './snapshot.js'

/** applied / stale / gone / empty: as Store.applySnapshot; failed: gave up; aborted: shutdown; dropped: queue full. */
export type ResyncOutcome = SnapshotOutcome | 'failed' | 'aborted' | 'dropped'

export interface ResyncerDeps {
  store: Store
  metrics: Metrics
  log: Logger
  fetcher: { fetch(did: string, mode: SyncMode, opts: FetchOptions): Promise<Result<RepoSnapshot, SyncError>> }
  /** The firehose side: the resync writes between its events and hands the held commits back. */
  ingester: {
    exclusive<T>(fn: () => Promise<T>): Promise<T>
    replay(events: readonly CommitEvent[]): Promise<void>
    track(did: string): void
    isTracked(did: string): boolean
  }
  /** Declarations a snapshot wrote or kept (e.g. to check origin bindings). */
  onSnapshot?(did: string, records: readonly RecordChange[]): void
  cfg: ResyncConfig
}

/** Resync requests read from the database per sweep. */
const SWEEP_BATCH = 1000

interface Pending {
  did: string
  reason: string
  mode: SyncMode
  attempts: number
  held: HeldCommits
  /** Another reason to resync arrived during the fetch (a #sync): resync again after this one. */
  again: boolean
  /** The account was deleted meanwhile: write nothing. */
  deleted: boolean
  timer?: NodeJS.Timeout
  waiters: Array<(outcome: ResyncOutcome) => void>
  settled: boolean
}

/**
 * Fetches accounts' repositories again from their PDS and reconciles the store with them: after
 * a broken chain, a #sync, an outage that left a commit unchecked, or for the backfill.
 *
 * One request per DID at a time (later ones join it); bounded concurrency and queue; retries
 * with exponential backoff for transient failures; requests that fail for good stay in the
 * database and are tried again by the periodic sweep (and at start-up). While a DID's resync is
 * pending its firehose commits are held: those before the fetch started are covered by the
 * snapshot and dropped, those during the fetch are replayed after the snapshot is written, in
 * the firehose's turn (so per-account order holds). Nothing runs unawaited: close() aborts the
 * fetches, clears the timers and waits for every job.
 */
export class Resyncer {
  private readonly pending = new Map<string, Pending>()
  private readonly ready: string[] = []
  private readonly running = new Set<Promise<void>>()
  private readonly abort = new AbortController()
  private idleWaiters: Array<() => void> = []
  private sweepTimer: NodeJS.Timeout | undefined
  private sweeping: Promise<void> | undefined
  private closed = false

  constructor(private readonly deps: ResyncerDeps) {
    const m = deps.metrics
    m.counter('donottrain_resyncs_total', 'Resyncs finished, by outcome')
    m.counter('donottrain_resync_attempt_failures_total', 'Resync attempts that failed, by reason')
    m.counter('donottrain_resync_requests_dropped_total', 'Resync requests refused because the queue was full')
    m.gauge('donottrain_resync_queue_depth', 'Repositories waiting for a resync (queued or backing off)', () =>
      Math.max(0, this.pending.size - this.running.size),
    )
    m.gauge('donottrain_resync_running', 'Resyncs fetching or writing now', () => this.running.size)
  }

  /** Repositories with a resync pending (queued, backing off or running). */
  get size(): number {
    return this.pending.size
  }

  isPending(did: string): boolean {
    return this.pending.has(did)
  }

  /**
   * Asks for a resync of `did` (deduplicated: a pending one is joined, upgraded to `full` when
   * asked). Returns false when refused (shutting down, or the queue is full: a request stored
   * in the database is then picked up by the sweep).
   */
  request(did: string, reason: string, mode: SyncMode = 'full'): boolean {
    if (this.closed) return false
    const existing = this.pending.get(did)
    if (existing) {
      // A fetch under way may predate what this request is about, or read less than it needs.
      if (existing.held.fetching && (reason !== 'backfill' || (mode === 'full' && existing.mode !== 'full'))) {
        existing.again = true
      }
      if (mode === 'full') existing.mode = 'full'
      return true
    }
    if (this.pending.size >= this.deps.cfg.queueSize) {
      this.deps.metrics.inc('donottrain_resync_requests_dropped_total')
      return false
    }
    this.pending.set(did, {
      did,
      reason,
      mode,
      attempts: 0,
      held: new HeldCommits(this.deps.cfg.holdEvents),
      again: false,
      deleted: false,
      waiters: [],
      settled: false,
    })
    this.ready.push(did)
    this.pump()
    return true
  }

  /** Requests a resync and resolves with its outcome. */
  sync(did: string, reason: string, mode: SyncMode = 'full'): Promise<ResyncOutcome> {
    if (!this.request(did, reason, mode)) return Promise.resolve(this.closed ? 'aborted' : 'dropped')
    return new Promise((resolve) => (this.pending.get(did) as Pending).waiters.push(resolve))
  }

  /** The firehose asks: is this commit's repository being resynced? Then the resync holds it. */
  hold(event: CommitEvent): boolean {
    const p = this.pending.get(event.repo)
    if (!p) return false
    p.held.add(event)
    return true
  }

  /** The account was deleted: a pending resync must not write it back. */
  accountDeleted(did: string): void {
    const p = this.pending.get(did)
    if (p) p.deleted = true
  }

  /** Re-asks the resyncs stored in the database now, then every sweep interval. */
  start(): void {
    if (this.closed || this.sweepTimer) return
    this.runSweep(new Date().toISOString())
    this.sweepTimer = setInterval(() => {
      this.runSweep(new Date(Date.now() - this.deps.cfg.sweepMs).toISOString())
    }, this.deps.cfg.sweepMs)
    this.sweepTimer.unref()
  }

  /** Resolves when no resync is pending. */
  idle(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** Stops: aborts fetches, cancels backoffs and the sweep, and waits for every job to end. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.abort.abort()
    clearInterval(this.sweepTimer)
    await this.sweeping
    this.ready.length = 0
    for (const p of [...this.pending.values()]) {
      if (p.timer !== undefined) {
        clearTimeout(p.timer)
        await this.finish(p, 'aborted')
      }
    }
    while (this.running.size > 0) await Promise.allSettled([...this.running])
    // Requests that never started (queued) end as aborted too.
    for (const p of [...this.pending.values()]) await this.finish(p, 'aborted')
  }

  private runSweep(notTriedSince: string): void {
    if (this.sweeping || this.closed) return
    this.sweeping = (async () => {
      try {
        const room = Math.min(SWEEP_BATCH, this.deps.cfg.queueSize - this.pending.size)
        if (room <= 0) return
        const rows = await this.deps.store.resyncRequests(room + this.pending.size, notTriedSince)
        let asked = 0
        for (const row of rows) {
          if (asked >= room) break
          if (this.pending.has(row.did)) continue
          if (this.request(row.did, row.reason)) asked++
        }
        if (asked > 0) this.deps.log.info({ count: asked }, 'resync sweep: requests queued again')
      } catch (err) {
        this.deps.log.error({ err }, 'resync sweep failed')
      } finally {
        this.sweeping = undefined
      }
    })()
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.deps.cfg.concurrency && this.ready.length > 0) {
      const did = this.ready.shift() as string
      const p = this.pending.get(did)
      if (!p) continue
      const job: Promise<void> = this.run(p).finally(() => {
        this.running.delete(job)
        this.pump()
      })
      this.running.add(job)
    }
  }

  /** One attempt; never rejects. */
  private async run(p: Pending): Promise<void> {
    try {
      await this.attempt(p)
    } catch (err) {
      // A store failure (or a bug): count it, leave the request in the database for the sweep.
      this.deps.log.error({ err, did: p.did }, 'resync failed unexpectedly')
      try {
        await this.finish(p, 'failed')
      } catch (again) {
        this.deps.log.error({ err: again, did: p.did }, 'resync cleanup failed')
        if (this.pending.get(p.did) === p) this.pending.delete(p.did)
      }
      this.settle(p, 'failed')
    }
  }

  private async attempt(p: Pending): Promise<void> {
    const { metrics, log, cfg, ingester } = this.deps
    p.attempts++
    // Everything held so far predates this fetch, so its snapshot covers it.
    p.held.reset(true)
    const requireTracked = ingester.isTracked(p.did)
    const res = await this.deps.fetcher.fetch(p.did, p.mode, { signal: this.abort.signal, refresh: p.attempts > 1 })
    if (this.closed) return this.finish(p, 'aborted')
    if (!res.ok) {
      const { code, message, retryable } = res.error
      metrics.inc('donottrain_resync_attempt_failures_total', { reason: code })
      if (retryable && p.attempts < cfg.maxAttempts) {
        const delay = backoffMs(p.attempts, cfg.minBackoffMs, cfg.maxBackoffMs)
        log.info({ did: p.did, attempt: p.attempts, code, msg: message, delayMs: delay }, 'resync failed; retrying')
        p.held.reset(false)
        p.timer = setTimeout(() => {
          p.timer = undefined
          this.ready.push(p.did)
          this.pump()
        }, delay)
        return
      }
      log.warn({ did: p.did, attempts: p.attempts, code, msg: message }, 'resync failed; left for the sweep')
      await this.deps.store.noteResyncFailure(p.did, `${code}: ${message}`)
      return this.finish(p, 'failed')
    }
    const snapshot = res.value
    const outcome = await ingester.exclusive(async () => {
      if (p.deleted) {
        this.pending.delete(p.did)
        return 'gone' as const
      }
      const again = p.again || p.held.overflow
      const { mode: _mode, ...write } = snapshot
      const result = await this.deps.store.applySnapshot({ ...write, keepDesynchronized: again, requireTracked })
      this.pending.delete(p.did)
      if (result.tracked) ingester.track(p.did)
      for (const kind of result.kinds) metrics.inc('donottrain_changes_total', { kind })
      // The held commits came after the snapshot's fetch began: apply them on top of it.
      if (!again) await ingester.replay(p.held.events)
      // Else the next resync starts holding before the firehose's next event.
      else this.request(p.did, 'again', p.mode)
      return result.outcome
    })
    log.info({ did: p.did, reason: p.reason, mode: snapshot.mode, rev: snapshot.rev, outcome }, 'resync done')
    if (outcome === 'applied') this.deps.onSnapshot?.(p.did, snapshot.records)
    this.settle(p, outcome)
  }

  /** Ends a resync that wrote nothing: the held commits go through the firehose path as they are. */
  private async finish(p: Pending, outcome: ResyncOutcome): Promise<void> {
    if (this.pending.get(p.did) !== p) return
    await this.deps.ingester.exclusive(async () => {
      this.pending.delete(p.did)
      if (!p.deleted) await this.deps.ingester.replay(p.held.events)
    })
    this.settle(p, outcome)
  }

  private settle(p: Pending, outcome: ResyncOutcome): void {
    if (p.settled) return
    p.settled = true
    this.deps.metrics.inc('donottrain_resyncs_total', { outcome })
    for (const resolve of p.waiters) resolve(outcome)
    p.waiters = []
    if (this.pending.size === 0) {
      const waiters = this.idleWaiters
      this.idleWaiters = []
      for (const resolve of waiters) resolve()
    }
  }
}
