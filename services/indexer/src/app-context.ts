import { DidResolver, HandleResolver, SafeFetcher } from '@donottrain/verifier'
import type { IndexerConfig } from './config.js'
import { type Db, openDb } from './db/db.js'
import { Store } from './db/store.js'
import { createLoggers, type Loggers } from './logger.js'
import { Metrics } from './metrics.js'

/** Everything the indexer owns, built once from the config. */
export class AppContext {
  private constructor(
    readonly cfg: IndexerConfig,
    readonly log: Loggers,
    readonly db: Db,
    readonly store: Store,
    readonly metrics: Metrics,
    readonly resolver: DidResolver,
    /** SSRF-guarded fetch for PDS endpoints and the relay's listings (size and time capped). */
    readonly pdsFetcher: SafeFetcher,
    /** SSRF-guarded fetch for origins' /.well-known/atproto-did. */
    readonly originFetcher: SafeFetcher,
    readonly handles: HandleResolver,
  ) {}

  static async fromConfig(cfg: IndexerConfig): Promise<AppContext> {
    const log = createLoggers(cfg.logLevel)
    const db = openDb(cfg.db)
    await db.migrateToLatest()
    const resolver = new DidResolver({
      plcUrl: cfg.plcUrl,
      allowLoopback: cfg.allowLoopback,
      ttlMs: cfg.didCacheTtlMs,
    })
    const userAgent = 'donottrain-indexer'
    const pdsFetcher = new SafeFetcher({
      allowLoopback: cfg.allowLoopback,
      timeoutMs: cfg.resync.timeoutMs,
      maxBytes: Math.max(cfg.resync.maxRepoBytes, 4 * 1024 * 1024),
      userAgent,
    })
    const originFetcher = new SafeFetcher({
      allowLoopback: cfg.allowLoopback,
      timeoutMs: cfg.origin.timeoutMs,
      userAgent,
    })
    const handles = new HandleResolver({ allowLoopback: cfg.allowLoopback, timeoutMs: cfg.origin.timeoutMs })
    return new AppContext(cfg, log, db, new Store(db), new Metrics(), resolver, pdsFetcher, originFetcher, handles)
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.resolver.close()
    await this.pdsFetcher.close()
    await this.originFetcher.close()
    await this.handles.close()
    await this.db.close()
  }
}
