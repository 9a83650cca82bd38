import type { Server } from 'node:http'
import {
  buildProofCar,
  checkCommitSignature,
  DidResolver,
  decodeCommit,
  HandleResolver,
  readCar,
} from '@donottrain/verifier'
import { createApi, createHandleLookup, loadSigningSeed, type ResolveHandle, serviceIdentity } from './api/index.js'
import { createHttpServer, listen } from './api/server.js'
import { buildConfig, type IndexerConfig, readEnv } from './config.js'
import { type Db, openDb } from './db/db.js'
import { Queries } from './db/queries.js'
import { Store } from './db/store.js'
import { runSubscription } from './firehose/subscription.js'
import { Ingester } from './ingest/ingester.js'
import type { CommitVerifier, ProofBuilder } from './ingest/types.js'
import { createCommitVerifier } from './ingest/verify-commit.js'
import { createLoggers, type Loggers } from './logger.js'
import { Metrics } from './metrics.js'

export { decodeEd25519Multikey, LIMITS } from './api/index.js'
export { buildConfig, ConfigError, DEFAULTS, ENV_KEYS, type IndexerConfig, type IndexerEnv, readEnv } from './config.js'
export { type Db, openDb } from './db/db.js'
export { Store } from './db/store.js'

export interface IndexerOverrides {
  verifyCommit?: CommitVerifier
  buildProof?: ProofBuilder
  /** Handle → DID for API subjects (tests: the local PDS's resolveHandle). Default: DNS + well-known. */
  resolveHandle?: ResolveHandle
  /** The account that published this indexer's feed generator record (enables the feed). */
  feedPublisherDid?: string
}

export interface Indexer {
  cfg: IndexerConfig
  /** The HTTP port actually bound (useful with port 0). */
  port: number
  url: string
  store: Store
  metrics: Metrics
  ingester: Ingester
  /** Resolves when shutdown is complete. */
  stop(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

/** Everything the indexer owns, built once from the config. */
export class AppContext {
  private constructor(
    readonly cfg: IndexerConfig,
    readonly log: Loggers,
    readonly db: Db,
    readonly store: Store,
    readonly metrics: Metrics,
    readonly resolver: DidResolver,
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
    return new AppContext(cfg, log, db, new Store(db), new Metrics(), resolver)
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.resolver.close()
    await this.db.close()
  }
}

/** Starts the indexer: store, HTTP server, and the firehose subscription. */
export async function startIndexer(cfg: IndexerConfig, overrides: IndexerOverrides = {}): Promise<Indexer> {
  const ctx = await AppContext.fromConfig(cfg)
  const { verifyCommit, buildProof } = await commitValidation(ctx, overrides)
  const ingester = new Ingester({
    store: ctx.store,
    metrics: ctx.metrics,
    log: ctx.log.ingest,
    verifyCommit,
    buildProof,
    source: cfg.firehoseUrl,
    onIdentity: async (did, handle) => {
      // The DID document may have changed (key rotation, new handle): drop the cached copy now.
      const doc = await ctx.resolver.resolve(did, { forceRefresh: true })
      if (!doc.ok) ctx.log.identity.warn({ did, err: doc.error.message }, 'identity refresh failed')
      await ctx.store.setHandle(did, handle)
    },
    verifySync: async (event) => {
      const car = readCar(event.blocks, { maxBytes: cfg.maxFrameBytes, maxBlocks: 10 })
      if (!car.ok) return 'sync-bad-car'
      const block = car.value.blocks.get(car.value.root)
      const commit = block ? decodeCommit(block) : undefined
      if (!commit?.ok || commit.value.did !== event.did || commit.value.rev !== event.rev) return 'sync-bad-commit'
      const sig = await checkCommitSignature(commit.value, { resolver: ctx.resolver })
      return sig.ok ? null : 'sync-bad-signature'
    },
    onDesync: (did) => ctx.log.ingest.warn({ did }, 'repository desynchronized; resync is not implemented yet'),
  })
  await ingester.init()

  const seed = await loadSigningSeed(cfg)
  const routes: NonNullable<Parameters<typeof createHttpServer>[0]['routes']> = []
  const server: Server = createHttpServer({
    metrics: ctx.metrics,
    log: ctx.log.http,
    checkDb: async () => {
      await ctx.store.getCursor(cfg.firehoseUrl)
    },
    routes,
  })
  const port = await listen(server, cfg.port, cfg.host)
  const localHost = cfg.host === '0.0.0.0' || cfg.host === '::' ? '127.0.0.1' : cfg.host
  const handleResolver = overrides.resolveHandle ? undefined : new HandleResolver({ allowLoopback: cfg.allowLoopback })
  const api = createApi(
    {
      queries: new Queries(ctx.store.kysely),
      lookupHandles: createHandleLookup({
        ttlMs: cfg.didCacheTtlMs,
        resolve:
          overrides.resolveHandle ??
          (async (handle) => {
            const did = await (handleResolver as HandleResolver).resolve(handle)
            return did.ok ? did.value : null
          }),
      }),
      identity: await serviceIdentity(seed, cfg.publicUrl ?? `http://${localHost}:${port}`),
      metrics: ctx.metrics,
      log: ctx.log.http,
      feed: { publisherDid: overrides.feedPublisherDid ?? null, rkey: 'donottrain' },
      pollMs: 250,
      subscriberHighWaterMark: 4 * 1024 * 1024,
    },
    { corsOrigin: cfg.corsOrigin, rateLimitPerMinute: cfg.rateLimitPerMinute },
  )
  routes.push(...api.routes)
  server.on('upgrade', (req, socket, head) => api.handleUpgrade(req, socket, head))
  const abort = new AbortController()
  const subscription = runSubscription({
    url: cfg.firehoseUrl,
    getCursor: () => ctx.store.getCursor(cfg.firehoseUrl),
    onEvent: (event) => ingester.handle(event),
    onReject: (reason) => ingester.reject(reason),
    maxFrameBytes: cfg.maxFrameBytes,
    idleTimeoutMs: cfg.idleTimeoutMs,
    queueSize: cfg.queueSize,
    signal: abort.signal,
    log: ctx.log.firehose,
  })
  ctx.log.root.info({ port, firehose: cfg.firehoseUrl, db: cfg.db.dialect }, 'indexer started')

  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= (async () => {
      abort.abort()
      await subscription
      await ingester.flush()
      await api.close()
      await handleResolver?.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      await ctx[Symbol.asyncDispose]()
      ctx.log.root.info('indexer stopped')
    })()
    return stopping
  }
  return {
    cfg,
    port,
    url: `http://${localHost}:${port}`,
    store: ctx.store,
    metrics: ctx.metrics,
    ingester,
    stop,
    [Symbol.asyncDispose]: stop,
  }
}

async function commitValidation(ctx: AppContext, overrides: IndexerOverrides) {
  const { cfg } = ctx
  const resolver = ctx.resolver
  const verifyCommit =
    overrides.verifyCommit ??
    createCommitVerifier({ resolver, maxRevSkewMs: cfg.maxRevSkewMs, maxCarBytes: cfg.maxFrameBytes })
  const buildProof: ProofBuilder =
    overrides.buildProof ??
    ((commit, path) => {
      const car = buildProofCar(commit.commitCid, commit.blocks, path)
      return car.ok ? car.value : null
    })
  return { verifyCommit, buildProof }
}

/** Config from the environment (the service's one place that reads it). */
export function configFromEnv(): IndexerConfig {
  return buildConfig(readEnv())
}
