import type { Logger } from 'pino'
import type { RepoTable } from '../db/schema.js'
import type { Cursor, RecordChange, Store } from '../db/store.js'
import type { FirehoseEvent } from '../firehose/events.js'
import type { Metrics } from '../metrics.js'
import { CommitBatch } from './commit-batch.js'
import { isRelevantPath, recordChange } from './extract.js'
import type { CommitVerifier, ProofBuilder } from './types.js'

type Event<T extends FirehoseEvent['type']> = Extract<FirehoseEvent, { type: T }>
export type CommitEvent = Event<'commit'>

export interface IngesterDeps {
  store: Store
  metrics: Metrics
  log: Logger
  verifyCommit: CommitVerifier
  buildProof: ProofBuilder
  /** Called on #identity for a tracked account (refresh DID cache, handle, origin bindings). */
  onIdentity?(did: string, handle: string | null): Promise<void>
  /** Verifies a #sync event's signed commit; resolves to a rejection reason, or null when valid. */
  verifySync?(event: Event<'sync'>): Promise<string | null>
  /**
   * Called when a repository needs a resync (its chain broke, a valid #sync moved it, or its
   * commit could not be checked for an outage). The request is already durable in the store.
   */
  onDesync?(did: string, reason: string): void
  /** True when a resync of the commit's repository is pending and holds the commit for after it. */
  holdCommit?(event: CommitEvent): boolean
  /** An account was deleted (a pending resync must not write it back). */
  onAccountDeleted?(did: string): void
  /** Declaration changes written for a commit (e.g. to check origin bindings). */
  onChanges?(did: string, changes: readonly RecordChange[]): void
  /** Cursor key in the store: the firehose URL. */
  source: string
  /** Save the cursor for event runs that write nothing at most this often. */
  cursorFlushMs?: number
  /** Most commits written in one transaction (default 100). */
  maxBatch?: number
}

/**
 * Applies firehose events to the store, one at a time in stream order (so each account's
 * events are in order and the cursor never runs ahead of durable data). Commits are validated
 * only where they matter: those touching a declaration-relevant collection, and every commit
 * of a repository the indexer tracks. Validated commits are written in batches: the events
 * handled while a batch is open go into one transaction with the cursor, written as soon as
 * the event loop is free (or the batch is full, or another write must follow it), and each
 * `handle` resolves once its event's effects are durable. Other writers (the resync) take
 * turns with the stream through `exclusive`, after the open batch is written.
 */
export class Ingester {
  private tracked = new Set<string>()
  private lastFlush = 0
  private pendingCursor: number | undefined
  private turn: Promise<unknown> = Promise.resolve()
  private lagSeconds = 0
  private batch: CommitBatch | undefined
  /** Set when an event or a batch failed: later events fail too, until none is in flight. */
  private failure: { err: unknown } | undefined
  private inFlight = 0

  constructor(private deps: IngesterDeps) {
    const m = deps.metrics
    m.counter('donottrain_events_total', 'Firehose events received, by type')
    m.counter('donottrain_commits_validated_total', 'Commits fully validated')
    m.counter('donottrain_rejections_total', 'Rejected frames, events, commits and records, by reason')
    m.counter('donottrain_changes_total', 'Declaration changes written, by kind')
    m.counter('donottrain_commits_held_total', 'Commits held for a pending resync of their repository')
    m.counter('donottrain_commits_skipped_total', 'Commits skipped because a resync covers them, by reason')
    m.counter('donottrain_commits_deferred_total', 'Commits not checkable now (outage); a resync covers them')
    m.gauge('donottrain_tracked_repos', 'Repositories tracked (hold or held a declaration)', () => this.tracked.size)
    m.gauge(
      'donottrain_firehose_lag_seconds',
      'Seconds between the time of the last event processed and its processing',
      () => this.lagSeconds,
    )
  }

  async init(): Promise<void> {
    this.tracked = await this.deps.store.trackedDids()
  }

  isTracked(did: string): boolean {
    return this.tracked.has(did)
  }

  /** Marks a repository tracked (a snapshot was written for it). */
  track(did: string): void {
    this.tracked.add(did)
  }

  /** Runs fn between events: no firehose event is applied while it runs (the open batch is written first). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.enqueue(async () => {
      await this.writeBatch()
      return fn()
    })
  }

  /**
   * Applies one event after those handed in before it; resolves when its effects (and those of
   * every event before it) are durable. Several may be in flight: their writes share a batch.
   */
  async handle(event: FirehoseEvent): Promise<void> {
    this.inFlight++
    try {
      const batch = await this.enqueue(async () => {
        if (this.failure) throw this.failure.err
        try {
          await this.dispatch(event)
        } catch (err) {
          // No later event may be written (its cursor would cover this one).
          this.failure = { err }
          throw err
        }
        return this.batch
      })
      await batch?.written
    } finally {
      // The stream that fed the lost batch has stopped; a new one resumes from the durable cursor.
      if (--this.inFlight === 0) this.failure = undefined
    }
  }

  /**
   * Applies commits that were held for a resync, after its snapshot was written: those the
   * snapshot covers are skipped quietly, the rest go through the usual checks (the chain now
   * continues from the snapshot). Call inside `exclusive`; the cursor is not touched.
   */
  async replay(events: readonly CommitEvent[]): Promise<void> {
    for (const event of events) await this.handleCommit(event, undefined)
  }

  /** Writes the open batch and persists a pending cursor (call on shutdown). */
  async flush(): Promise<void> {
    await this.enqueue(async () => {
      await this.writeBatch()
      await this.saveCursor()
    })
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.turn.then(fn)
    this.turn = run.catch(() => {})
    return run
  }

  private async saveCursor(): Promise<void> {
    const seq = this.pendingCursor
    if (seq === undefined) return
    await this.deps.store.saveCursor(this.deps.source, seq)
    // A newer cursor set while saving stays pending for the next flush.
    if (this.pendingCursor === seq) this.pendingCursor = undefined
    this.lastFlush = Date.now()
  }

  /** The batch that collects this event's writes; opened with its write scheduled for when the event loop is free. */
  private openBatch(): CommitBatch {
    if (this.batch) return this.batch
    const batch = new CommitBatch()
    this.batch = batch
    setImmediate(() => {
      if (this.batch !== batch) return
      // A failure reaches the events waiting on the batch.
      this.enqueue(() => this.writeBatch(batch)).catch(() => {})
    })
    return batch
  }

  /** Writes the open batch (only `expected`, when given) in one transaction with its cursor. */
  private async writeBatch(expected?: CommitBatch): Promise<void> {
    const batch = this.batch
    if (!batch || (expected && batch !== expected)) return
    this.batch = undefined
    let kinds: Awaited<ReturnType<Store['applyCommits']>>
    try {
      kinds = await this.deps.store.applyCommits(batch.writes, batch.cursor)
    } catch (err) {
      for (const did of batch.newlyTracked) this.tracked.delete(did)
      this.failure = { err }
      batch.fail(err)
      throw err
    }
    this.lastFlush = Date.now()
    batch.writes.forEach((write, i) => {
      const written = kinds[i] ?? []
      for (const kind of written) this.deps.metrics.inc('donottrain_changes_total', { kind })
      if (written.length > 0) this.deps.onChanges?.(write.did, write.changes)
    })
    batch.done()
  }

  reject(reason: string): void {
    this.deps.metrics.inc('donottrain_rejections_total', { reason })
  }

  private async dispatch(event: FirehoseEvent): Promise<void> {
    this.deps.metrics.inc('donottrain_events_total', { type: event.type })
    if ('time' in event) {
      const time = Date.parse(event.time)
      if (Number.isFinite(time)) this.lagSeconds = Math.max(0, (Date.now() - time) / 1000)
    }
    const source = this.deps.source
    switch (event.type) {
      case 'commit':
        if (this.deps.holdCommit?.(event)) {
          this.deps.metrics.inc('donottrain_commits_held_total')
          return this.advance(event.seq)
        }
        if (await this.handleCommit(event, { source, seq: event.seq })) this.pendingCursor = undefined
        else await this.advance(event.seq)
        return
      case 'account':
        return this.handleAccount(event, { source, seq: event.seq })
      case 'identity':
        if (this.tracked.has(event.did) && this.deps.onIdentity) {
          await this.writeBatch()
          await this.deps.onIdentity(event.did, event.handle)
        }
        return this.advance(event.seq)
      case 'sync':
        return this.handleSync(event, { source, seq: event.seq })
      case 'unknown':
        if (event.seq !== null) return this.advance(event.seq)
        return
      case 'info':
        return
    }
  }

  /**
   * Validates and applies one commit. With a cursor (from the stream), its effects join the
   * open batch and the cursor goes with them; returns true when it does (false: the caller
   * advances it). Without one (a replay), it is written at once and the cursor left alone.
   */
  private async handleCommit(event: CommitEvent, cursor: Cursor | undefined): Promise<boolean> {
    const { store, log, metrics } = this.deps
    const relevant = event.ops.filter((op) => isRelevantPath(op.path))
    const tracked = this.tracked.has(event.repo)
    if (relevant.length === 0 && !tracked) return false

    const repo = tracked ? await this.repoState(event.repo, cursor !== undefined) : undefined
    if (repo?.resync_rev && event.rev <= repo.resync_rev) {
      // The last resync's snapshot already holds this commit's effects: late, not hostile.
      metrics.inc('donottrain_commits_skipped_total', { reason: 'covered-by-resync' })
      return false
    }
    if (repo?.status === 'desynchronized') {
      // A resync is asked for (durably); the chain cannot be checked until it is written.
      metrics.inc('donottrain_commits_skipped_total', { reason: 'desynchronized' })
      return false
    }
    const check = await this.deps.verifyCommit(event, repo)
    metrics.inc('donottrain_commits_validated_total')
    if (!check.ok) {
      const { reason, message } = check.error
      if (check.error.retry) {
        metrics.inc('donottrain_commits_deferred_total', { reason })
        log.warn({ did: event.repo, seq: event.seq, reason, msg: message }, 'commit not checkable now; resync asked')
        await this.writeBatch()
        await store.requestResync(event.repo, reason, cursor)
        this.deps.onDesync?.(event.repo, reason)
        return cursor !== undefined
      }
      this.reject(reason)
      log.warn({ did: event.repo, seq: event.seq, reason, msg: message }, 'commit rejected')
      if (check.error.desync && tracked) {
        await this.writeBatch()
        await store.requestResync(event.repo, reason, cursor)
        this.deps.onDesync?.(event.repo, reason)
        return cursor !== undefined
      }
      return false
    }
    const commit = check.value
    const changes: RecordChange[] = []
    for (const op of relevant) {
      const change = recordChange(
        event.repo,
        op.path,
        op.action === 'delete' ? null : op.cid,
        commit.blocks,
        (path) => this.deps.buildProof(commit, path),
        (why) => this.reject(why),
      )
      if (change) changes.push(change)
    }
    const track = tracked || changes.some((c) => c.extracted !== null)
    if (!track) return false
    const write = {
      did: event.repo,
      rev: commit.rev,
      dataCid: commit.dataCid,
      commitCid: commit.commitCid,
      changes,
      track,
    }
    if (cursor) {
      // From the stream: into the batch, written with the cursor.
      const batch = this.openBatch()
      batch.add(write, repo, cursor)
      if (!tracked) {
        this.tracked.add(event.repo)
        batch.newlyTracked.push(event.repo)
      }
      this.pendingCursor = undefined
      if (batch.writes.length >= (this.deps.maxBatch ?? 100)) await this.writeBatch()
      return true
    }
    const kinds = await store.applyCommit(write)
    this.tracked.add(event.repo)
    for (const kind of kinds) metrics.inc('donottrain_changes_total', { kind })
    if (kinds.length > 0) this.deps.onChanges?.(event.repo, changes)
    return false
  }

  private async handleSync(event: Event<'sync'>, cursor: Cursor): Promise<void> {
    // A #sync says the repo's state moved without a commit stream. Only a validly signed one
    // may trigger a resync of a tracked repo; a forged one is rejected and counted.
    if (!this.tracked.has(event.did)) return this.advance(event.seq)
    const rejected = this.deps.verifySync ? await this.deps.verifySync(event) : null
    if (rejected) {
      this.reject(rejected)
      return this.advance(event.seq)
    }
    await this.writeBatch()
    const repo = await this.deps.store.getRepo(event.did)
    if (repo && event.rev <= repo.rev) return this.advance(event.seq) // not ahead of what we hold
    await this.deps.store.requestResync(event.did, 'sync', cursor)
    this.pendingCursor = undefined
    this.deps.onDesync?.(event.did, 'sync')
  }

  private async handleAccount(event: Event<'account'>, cursor: Cursor): Promise<void> {
    const status = event.active
      ? 'active'
      : event.status === 'deleted'
        ? 'deleted'
        : (accountStatus(event.status) ?? 'deactivated')
    if (status === 'deleted') this.deps.onAccountDeleted?.(event.did)
    if (!this.tracked.has(event.did)) return this.advance(event.seq)
    await this.writeBatch()
    const kind = await this.deps.store.setAccountStatus(event.did, status, cursor)
    this.pendingCursor = undefined
    if (status === 'deleted') this.tracked.delete(event.did)
    if (kind) this.deps.metrics.inc('donottrain_changes_total', { kind })
  }

  /** The stored state of a tracked repository, as the open batch will leave it. */
  private async repoState(did: string, fromStream: boolean): Promise<RepoTable | undefined> {
    const pending = fromStream ? this.batch?.repos.get(did) : undefined
    return pending ?? this.deps.store.getRepo(did)
  }

  /** The event at `seq` writes nothing: its cursor goes with the open batch, or is saved soon. */
  private async advance(seq: number): Promise<void> {
    if (this.batch) {
      this.batch.cursor = { source: this.deps.source, seq }
      return
    }
    this.pendingCursor = seq
    const flushMs = this.deps.cursorFlushMs ?? 1000
    if (Date.now() - this.lastFlush >= flushMs) await this.saveCursor()
  }
}

function accountStatus(status: string | null) {
  switch (status) {
    case 'takendown':
    case 'suspended':
    case 'deactivated':
      return status
    default:
      return undefined
  }
}
