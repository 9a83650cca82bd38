import { decode } from '@atcute/cbor'
import type { Logger } from 'pino'
import type { RecordChange, Store } from '../db/store.js'
import type { FirehoseEvent } from '../firehose/events.js'
import type { Metrics } from '../metrics.js'
import { PROCESSOR_BY_COLLECTION } from '../processors/index.js'
import type { CommitVerifier, ProofBuilder } from './types.js'

type Event<T extends FirehoseEvent['type']> = Extract<FirehoseEvent, { type: T }>

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
  /** Called when a tracked repository's chain broke: fetch its current state again. */
  onDesync?(did: string): void
  /** Cursor key in the store: the firehose URL. */
  source: string
  /** Save the cursor for event runs that write nothing at most this often. */
  cursorFlushMs?: number
}

/**
 * Applies firehose events to the store, one at a time in stream order (so each account's
 * events are in order and the cursor never runs ahead of durable data). Commits are validated
 * only where they matter: those touching a declaration-relevant collection, and every commit
 * of a repository the indexer tracks.
 */
export class Ingester {
  private tracked = new Set<string>()
  private lastFlush = 0
  private pendingCursor: number | undefined

  constructor(private deps: IngesterDeps) {
    const m = deps.metrics
    m.counter('donottrain_events_total', 'Firehose events received, by type')
    m.counter('donottrain_commits_validated_total', 'Commits fully validated')
    m.counter('donottrain_rejections_total', 'Rejected frames, events, commits and records, by reason')
    m.counter('donottrain_changes_total', 'Declaration changes written, by kind')
    m.gauge('donottrain_tracked_repos', 'Repositories tracked (hold or held a declaration)', () => this.tracked.size)
  }

  async init(): Promise<void> {
    this.tracked = await this.deps.store.trackedDids()
  }

  isTracked(did: string): boolean {
    return this.tracked.has(did)
  }

  async handle(event: FirehoseEvent): Promise<void> {
    this.deps.metrics.inc('donottrain_events_total', { type: event.type })
    switch (event.type) {
      case 'commit':
        return this.handleCommit(event)
      case 'account':
        return this.handleAccount(event)
      case 'identity':
        if (this.tracked.has(event.did)) await this.deps.onIdentity?.(event.did, event.handle)
        return this.advance(event.seq)
      case 'sync': {
        // A #sync says the repo's state moved without a commit stream. Only a validly signed
        // one may trigger a resync of a tracked repo; a forged one is rejected and counted.
        if (this.tracked.has(event.did)) {
          const rejected = this.deps.verifySync ? await this.deps.verifySync(event) : null
          if (rejected) this.reject(rejected)
          else this.deps.onDesync?.(event.did)
        }
        return this.advance(event.seq)
      }
      case 'unknown':
        if (event.seq !== null) return this.advance(event.seq)
        return
      case 'info':
        return
    }
  }

  /** Persists a pending cursor (call on shutdown). */
  async flush(): Promise<void> {
    if (this.pendingCursor === undefined) return
    await this.deps.store.saveCursor(this.deps.source, this.pendingCursor)
    this.pendingCursor = undefined
    this.lastFlush = Date.now()
  }

  reject(reason: string): void {
    this.deps.metrics.inc('donottrain_rejections_total', { reason })
  }

  private async handleCommit(event: Event<'commit'>): Promise<void> {
    const { store, log } = this.deps
    const relevant = event.ops.filter((op) => PROCESSOR_BY_COLLECTION.has(collectionOf(op.path)))
    const tracked = this.tracked.has(event.repo)
    if (relevant.length === 0 && !tracked) return this.advance(event.seq)

    const repo = tracked ? await store.getRepo(event.repo) : undefined
    const check = await this.deps.verifyCommit(event, repo)
    this.deps.metrics.inc('donottrain_commits_validated_total')
    if (!check.ok) {
      this.reject(check.error.reason)
      log.warn(
        { did: event.repo, seq: event.seq, reason: check.error.reason, msg: check.error.message },
        'commit rejected',
      )
      if (check.error.desync && tracked) {
        await store.setAccountStatus(event.repo, 'desynchronized')
        this.deps.onDesync?.(event.repo)
      }
      return this.advance(event.seq)
    }
    const commit = check.value
    const changes: RecordChange[] = []
    for (const op of relevant) {
      const collection = collectionOf(op.path)
      const rkey = op.path.slice(collection.length + 1)
      const uri = `at://${event.repo}/${op.path}`
      const processor = PROCESSOR_BY_COLLECTION.get(collection)
      if (!processor || rkey === '' || rkey.includes('/')) {
        this.reject('bad-path')
        continue
      }
      if (op.action === 'delete' || op.cid === null) {
        changes.push({ uri, collection, rkey, cid: null, extracted: null, proof: null })
        continue
      }
      const block = commit.blocks.get(op.cid)
      if (!block) {
        this.reject('record-block-missing')
        continue
      }
      let record: unknown
      try {
        record = decode(block)
      } catch {
        this.reject('record-bad-cbor')
        continue
      }
      const { value, rejected } = processor.extract(record, { did: event.repo, collection, rkey, uri, cid: op.cid })
      if (rejected) this.reject(`record-${rejected}`)
      const proof = value ? this.deps.buildProof(commit, op.path) : null
      if (value && !proof) {
        this.reject('proof-unavailable')
        continue
      }
      changes.push({ uri, collection, rkey, cid: op.cid, extracted: value, proof })
    }
    const track = tracked || changes.some((c) => c.extracted !== null)
    if (!track) return this.advance(event.seq)
    const kinds = await store.applyCommit(
      { did: event.repo, rev: commit.rev, dataCid: commit.dataCid, commitCid: commit.commitCid, changes, track },
      { source: this.deps.source, seq: event.seq },
    )
    this.pendingCursor = undefined
    this.tracked.add(event.repo)
    for (const kind of kinds) this.deps.metrics.inc('donottrain_changes_total', { kind })
  }

  private async handleAccount(event: Event<'account'>): Promise<void> {
    if (!this.tracked.has(event.did)) return this.advance(event.seq)
    const status = event.active
      ? 'active'
      : event.status === 'deleted'
        ? 'deleted'
        : (accountStatus(event.status) ?? 'deactivated')
    const kind = await this.deps.store.setAccountStatus(event.did, status, { source: this.deps.source, seq: event.seq })
    this.pendingCursor = undefined
    if (status === 'deleted') this.tracked.delete(event.did)
    if (kind) this.deps.metrics.inc('donottrain_changes_total', { kind })
  }

  private async advance(seq: number): Promise<void> {
    this.pendingCursor = seq
    const flushMs = this.deps.cursorFlushMs ?? 1000
    if (Date.now() - this.lastFlush >= flushMs) await this.flush()
  }
}

function collectionOf(path: string): string {
  const slash = path.indexOf('/')
  return slash < 0 ? path : path.slice(0, slash)
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
