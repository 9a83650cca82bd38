import type { Logger } from 'pino'
import type { OriginDeclaration, Store } from '../db/store.js'
import type { Metrics } from '../metrics.js'
import type { OriginCheck } from './check-origin.js'

export interface OriginWorkerDeps {
  store: Store
  metrics: Metrics
  log: Logger
  check(did: string, origin: string, signal: AbortSignal): Promise<OriginCheck>
  concurrency: number
  queueSize: number
}

export type OriginItem = Pick<OriginDeclaration, 'uri' | 'did' | 'cid' | 'origin'>

const SWEEP_PAGE = 200

/**
 * Checks origin bindings off the firehose path: a bounded queue (deduplicated by URI, the
 * newest version wins), bounded concurrency, every job tracked. The result is written with
 * Store.recordOriginCheck, which turns a changed flag into an `update` change. On start it
 * checks the origin declarations never checked (e.g. stored before a crash).
 */
export class OriginWorker {
  private readonly queued = new Map<string, OriginItem>()
  private readonly running = new Set<Promise<void>>()
  private readonly tasks = new Set<Promise<void>>()
  private readonly abort = new AbortController()
  private roomWaiters: Array<() => void> = []
  private idleWaiters: Array<() => void> = []
  private closed = false

  constructor(private readonly deps: OriginWorkerDeps) {
    deps.metrics.counter('donottrain_origin_checks_total', 'Origin binding checks, by outcome')
    deps.metrics.counter('donottrain_origin_checks_dropped_total', 'Origin checks refused because the queue was full')
    deps.metrics.gauge('donottrain_origin_queue_depth', 'Origin binding checks waiting', () => this.queued.size)
  }

  /** Queues a check of one declaration version; false when refused (closed, or the queue is full). */
  enqueue(item: OriginItem): boolean {
    if (this.closed) return false
    if (!this.queued.has(item.uri) && this.queued.size >= this.deps.queueSize) {
      this.deps.metrics.inc('donottrain_origin_checks_dropped_total')
      return false
    }
    this.queued.set(item.uri, item)
    this.pump()
    return true
  }

  /** Checks every origin declaration of an account again (after its handle changed). */
  recheckAccount(did: string): void {
    this.task(async () => {
      for (const decl of await this.deps.store.originDeclarations(did)) this.enqueue(decl)
    })
  }

  /** Queues the origin declarations never checked, as the queue makes room. */
  start(): void {
    this.task(async () => {
      let after = ''
      for (;;) {
        const page = await this.deps.store.uncheckedOrigins(after, SWEEP_PAGE)
        for (const decl of page) {
          while (!this.closed && this.queued.size >= this.deps.queueSize) await this.room()
          if (this.closed) return
          this.enqueue(decl)
        }
        if (page.length < SWEEP_PAGE) return
        after = (page.at(-1) as OriginDeclaration).uri
      }
    })
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.queued.size === 0 && this.running.size === 0 && this.tasks.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  async close(): Promise<void> {
    this.closed = true
    this.abort.abort()
    this.queued.clear()
    this.wake()
    while (this.running.size > 0 || this.tasks.size > 0) await Promise.allSettled([...this.running, ...this.tasks])
  }

  private task(fn: () => Promise<void>): void {
    const t: Promise<void> = fn()
      .catch((err) => this.deps.log.error({ err }, 'origin check task failed'))
      .finally(() => {
        this.tasks.delete(t)
        this.checkIdle()
      })
    this.tasks.add(t)
  }

  private room(): Promise<void> {
    return new Promise((resolve) => this.roomWaiters.push(resolve))
  }

  private wake(): void {
    const waiters = this.roomWaiters
    this.roomWaiters = []
    for (const resolve of waiters) resolve()
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.deps.concurrency && this.queued.size > 0) {
      const [uri, item] = this.queued.entries().next().value as [string, OriginItem]
      this.queued.delete(uri)
      if (this.queued.size < this.deps.queueSize) this.wake()
      const job: Promise<void> = this.run(item).finally(() => {
        this.running.delete(job)
        this.pump()
        this.checkIdle()
      })
      this.running.add(job)
    }
  }

  private async run(item: OriginItem): Promise<void> {
    const { store, metrics, log } = this.deps
    try {
      const res = await this.deps.check(item.did, item.origin, this.abort.signal)
      if (this.closed) return
      const outcome = res.verified ? 'verified' : res.conclusive ? 'unverified' : 'inconclusive'
      metrics.inc('donottrain_origin_checks_total', { outcome })
      const verified = res.verified ? true : res.conclusive ? false : null
      const kind = await store.recordOriginCheck(item.uri, item.cid, verified, res.verified ? res.via : null)
      if (kind) {
        metrics.inc('donottrain_changes_total', { kind })
        log.info(
          { uri: item.uri, origin: item.origin, verified, via: res.verified ? res.via : null },
          'origin binding changed',
        )
      }
    } catch (err) {
      metrics.inc('donottrain_origin_checks_total', { outcome: 'error' })
      log.warn({ err, uri: item.uri }, 'origin check failed')
    }
  }

  private checkIdle(): void {
    if (this.queued.size > 0 || this.running.size > 0 || this.tasks.size > 0) return
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const resolve of waiters) resolve()
  }
}
