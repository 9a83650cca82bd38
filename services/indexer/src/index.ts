import type { Server } from 'node:http'
import { err, ok, type Result } from '@donottrain/lexicon'
import {
  buildProofCar,
  checkCommitSignature,
  decodeCommit,
  ed25519Signer,
  formatVerifierKey,
  readCar,
  type SafeFetch,
} from '@donottrain/verifier'
import type { Kysely } from 'kysely'
import { type ApiContext, createApi, createHandleLookup, loadSigningSeed, serviceIdentity } from './api/index.js'
import { createHttpServer, listen } from './api/server.js'
import { AppContext } from './app-context.js'
import { Backfill, type BackfillProgress } from './backfill/backfill.js'
import { xrpcLister } from './backfill/listing.js'
import { buildConfig, type IndexerConfig, readEnv } from './config.js'
import { Queries } from './db/queries.js'
import type { RecordChange, Store } from './db/store.js'
import { runSubscription, type SubscriptionStats } from './firehose/subscription.js'
import { Ingester } from './ingest/ingester.js'
import { isOutage } from './ingest/outage.js'
import type { CommitVerifier, ProofBuilder } from './ingest/types.js'
import { createCommitVerifier } from './ingest/verify-commit.js'
import type { Metrics } from './metrics.js'
import { checkOrigin } from './origin/check-origin.js'
import { OriginWorker } from './origin/origin-worker.js'
import { RepoFetcher } from './sync/repo-fetcher.js'
import { Resyncer } from './sync/resyncer.js'
import { HostRateLimiter } from './sync/token-bucket.js'
import { catchUpLog } from './tlog/append.js'
import { Checkpointer } from './tlog/checkpointer.js'
import { LogStore } from './tlog/log-store.js'
import type { LogSchema } from './tlog/schema.js'
import { createWebRoutes } from './web/index.js'
import { raceAbort } from './work/sleep.js'

export { decodeEd25519Multikey, LIMITS } from './api/index.js'
export { AppContext } from './app-context.js'
export type { Backfill, BackfillProgress, BackfillSummary } from './backfill/backfill.js'
export { buildConfig, ConfigError, DEFAULTS, ENV_KEYS, type IndexerConfig, type IndexerEnv, readEnv } from './config.js'
export { type Db, openDb } from './db/db.js'
export { type ChangeKind, Store } from './db/store.js'
export type { CommitVerifier } from './ingest/types.js'
export { type CommitVerifierOptions, createCommitVerifier } from './ingest/verify-commit.js'
export type { OriginWorker } from './origin/origin-worker.js'
export {
  type SnapshotSummary,
  SnapshotWriteError,
  type SnapshotWriteErrorCode,
  snapshotFromConfig,
  type WriteSnapshotOptions,
  writeSnapshot,
} from './snapshot/index.js'
export type { Resyncer, ResyncOutcome } from './sync/resyncer.js'
export { catchUpLog, logChange } from './tlog/append.js'
export { type LoggableChange, LogStore } from './tlog/log-store.js'

export interface IndexerOverrides {
  verifyCommit?: CommitVerifier
  buildProof?: ProofBuilder
  /** The fetch for PDS and relay requests (resync, backfill); default an SSRF-guarded SafeFetcher. */
  pdsFetch?: SafeFetch
  /** Handle → DID (null: not resolved); default a HandleResolver (DNS TXT + https well-known). */
  resolveHandle?(handle: string): Promise<string | null>
  /** Tests only: where an origin's /.well-known/atproto-did is fetched from. */
  originWellKnownUrl?(origin: string): string
  /** The account that published this indexer's feed generator record (default: INDEXER_FEED_PUBLISHER_DID). */
  feedPublisherDid?: string
  /** Bytes a subscribeDeclarations consumer may leave unread before it is cut off (default 4 MiB). */
  subscriberHighWaterMark?: number
}

export interface StartOptions {
  /** Run the backfill (resuming an interrupted one). */
  backfill?: boolean
  /** Follow the firehose (default true); false with backfill: backfill only, then stop(). */
  follow?: boolean
  /** Backfill progress, as it changes (e.g. for a progress bar). */
  onBackfillProgress?(progress: BackfillProgress): void
}

export interface Indexer {
  cfg: IndexerConfig
  /** The HTTP port actually bound (useful with port 0). */
  port: number
  url: string
  store: Store
  metrics: Metrics
  ingester: Ingester
  /** Resyncs of accounts from their PDS (after a broken chain, a #sync, an outage; the backfill's fetches). */
  resyncer: Resyncer
  /** Origin binding checks. */
  origins: OriginWorker
  /** The backfill, when started with it; `backfill.done` resolves when it finished or stopped. */
  backfill: Backfill | undefined
  /** The transparency log (a leaf per change) and its signed checkpoints. */
  log: LogStore
  checkpointer: Checkpointer
  /** The indexer's did:web. */
  did: string
  /** Resolves when shutdown is complete. */
  stop(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

/** Starts the indexer: store, HTTP server, the firehose subscription, resyncs, origin checks and (asked) the backfill. */
export async function startIndexer(
  cfg: IndexerConfig,
  overrides: IndexerOverrides = {},
  opts: StartOptions = {},
): Promise<Indexer> {
  const ctx = await AppContext.fromConfig(cfg)
  const { store, metrics, log } = ctx
  const { verifyCommit, buildProof } = await commitValidation(ctx, overrides)
  const pdsFetch = overrides.pdsFetch ?? ctx.pdsFetcher.fetch
  const limiter = new HostRateLimiter({ ratePerSecond: cfg.resync.ratePerSecond, burst: cfg.resync.burst })

  const origins = new OriginWorker({
    store,
    metrics,
    log: log.identity,
    concurrency: cfg.origin.concurrency,
    queueSize: cfg.origin.queueSize,
    check: (did, origin, signal) =>
      raceAbort(
        checkOrigin(
          did,
          origin,
          {
            resolveDid: (d) => ctx.resolver.resolve(d),
            resolveHandle: handleResolver(ctx, overrides),
            fetch: ctx.originFetcher.fetch,
            timeoutMs: cfg.origin.timeoutMs,
            ...(overrides.originWellKnownUrl && { wellKnownUrl: overrides.originWellKnownUrl }),
          },
          signal,
        ),
        signal,
        { verified: false, conclusive: false, reason: 'aborted' },
      ),
  })
  const checkOrigins = (did: string, changes: readonly RecordChange[]) => {
    for (const c of changes) {
      if (c.extracted?.scope.type === 'origin' && c.cid) {
        origins.enqueue({ uri: c.uri, did, cid: c.cid, origin: c.extracted.scope.origin })
      }
    }
  }

  // The ingester and the resyncer call each other: the resyncer holds a resyncing account's
  // commits and writes between the ingester's events.
  let resyncer: Resyncer | undefined
  const ingester = new Ingester({
    store,
    metrics,
    log: log.ingest,
    verifyCommit,
    buildProof,
    source: cfg.firehoseUrl,
    onIdentity: async (did, handle) => {
      // The DID document may have changed (key rotation, new handle, new PDS): drop the cached copy now.
      const doc = await ctx.resolver.resolve(did, { forceRefresh: true })
      if (!doc.ok) log.identity.warn({ did, err: doc.error.message }, 'identity refresh failed')
      await store.setHandle(did, handle)
      // A handle change can bind or unbind origins; a moved account can be resynced now.
      origins.recheckAccount(did)
      if (await store.getResyncRequest(did)) resyncer?.request(did, 'identity')
    },
    verifySync: async (event) => {
      const car = readCar(event.blocks, { maxBytes: cfg.maxFrameBytes, maxBlocks: 10 })
      if (!car.ok) return 'sync-bad-car'
      const block = car.value.blocks.get(car.value.root)
      const commit = block ? decodeCommit(block) : undefined
      if (!commit?.ok || commit.value.did !== event.did || commit.value.rev !== event.rev) return 'sync-bad-commit'
      const sig = await checkCommitSignature(commit.value, { resolver: ctx.resolver })
      if (sig.ok) return null
      // The DID directory is down: the resync this asks for verifies the repository itself.
      if (sig.error.code === 'KeyNotFound' && isOutage(sig.error.cause)) return null
      return 'sync-bad-signature'
    },
    onDesync: (did, reason) => {
      log.ingest.info({ did, reason }, 'repository needs a resync')
      resyncer?.request(did, reason)
    },
    holdCommit: (event) => resyncer?.hold(event) ?? false,
    onAccountDeleted: (did) => resyncer?.accountDeleted(did),
    onChanges: checkOrigins,
  })
  const fetcher = new RepoFetcher({
    resolver: ctx.resolver,
    fetch: pdsFetch,
    limiter,
    maxRepoBytes: cfg.resync.maxRepoBytes,
    knownUris: (did) => store.declarationUris(did),
    reject: (reason) => ingester.reject(reason),
  })
  resyncer = new Resyncer({
    store,
    metrics,
    log: log.sync,
    fetcher,
    ingester,
    onSnapshot: (did, records) => checkOrigins(did, records),
    cfg: cfg.resync,
  })
  // A store written before the log existed gets its leaves now, before anything new is written.
  const caughtUp = await catchUpLog(store.kysely as unknown as Kysely<unknown>)
  if (caughtUp > 0) log.root.info({ leaves: caughtUp }, 'transparency log caught up with the change feed')
  await ingester.init()
  resyncer.start()
  origins.start()

  const seed = await loadSigningSeed(cfg)
  const routes: NonNullable<Parameters<typeof createHttpServer>[0]['routes']> = []
  const server: Server = createHttpServer({
    metrics,
    log: log.http,
    checkDb: async () => {
      await store.getCursor(cfg.firehoseUrl)
    },
    routes,
  })
  const port = await listen(server, cfg.port, cfg.host)
  const host = cfg.host === '0.0.0.0' || cfg.host === '::' ? '127.0.0.1' : cfg.host
  const identity = await serviceIdentity(seed, cfg.publicUrl ?? `http://${host}:${port}`)
  const logStore = new LogStore(store.kysely as unknown as Kysely<LogSchema>)
  const logOrigin = `${new URL(identity.publicUrl).host}/donottrain/log`
  const checkpointer = new Checkpointer({
    log: logStore,
    signer: await ed25519Signer(logOrigin, seed),
    origin: logOrigin,
    intervalMs: cfg.checkpointIntervalMs,
    onError: (err) => log.root.warn({ err }, 'checkpoint failed'),
  })
  // The first checkpoint before the API answers: a log whose newest checkpoint was signed under
  // another origin or key (the host or key changed) is signed again before anyone is served it.
  await checkpointer.start()
  const resolveHandle = overrides.resolveHandle
  const apiCtx: ApiContext = {
    queries: new Queries(store.kysely),
    db: store.kysely,
    lookupHandles: createHandleLookup({
      ttlMs: cfg.didCacheTtlMs,
      resolve:
        resolveHandle ??
        (async (handle) => {
          const did = await ctx.handles.resolve(handle)
          return did.ok ? did.value : null
        }),
    }),
    identity,
    metrics,
    log: log.http,
    feed: { publisherDid: overrides.feedPublisherDid ?? cfg.feedPublisherDid, rkey: 'donottrain' },
    pollMs: 250,
    subscriberHighWaterMark: overrides.subscriberHighWaterMark ?? 4 * 1024 * 1024,
    tlog: {
      store: logStore,
      checkpointer,
      origin: logOrigin,
      verifierKey: formatVerifierKey(logOrigin, identity.publicKey),
    },
  }
  const api = createApi(apiCtx, { corsOrigin: cfg.corsOrigin, rateLimitPerMinute: cfg.rateLimitPerMinute })
  routes.push(...api.routes)
  // The web pages come after the API routes: same CORS headers and per-IP rate limit.
  routes.push(
    ...createWebRoutes({ api: apiCtx, publicUrl: cfg.publicUrl, plcUrl: cfg.plcUrl, allowHttp: cfg.allowLoopback }),
  )
  server.on('upgrade', (req, socket, head) => api.handleUpgrade(req, socket, head))
  const abort = new AbortController()
  const stats: SubscriptionStats = { queued: 0 }
  metrics.gauge('donottrain_firehose_queue_depth', 'Firehose events received and not yet processed', () => stats.queued)
  const follow = opts.follow !== false
  const subscription = follow
    ? runSubscription({
        url: cfg.firehoseUrl,
        getCursor: () => store.getCursor(cfg.firehoseUrl),
        onEvent: (event) => ingester.handle(event),
        onReject: (reason) => ingester.reject(reason),
        maxFrameBytes: cfg.maxFrameBytes,
        idleTimeoutMs: cfg.idleTimeoutMs,
        queueSize: cfg.queueSize,
        signal: abort.signal,
        log: log.firehose,
        stats,
      })
    : Promise.resolve()

  const source = cfg.backfill.url ?? httpBase(cfg.firehoseUrl)
  const backfill = opts.backfill
    ? new Backfill({
        store,
        metrics,
        log: log.backfill,
        source,
        lister: xrpcLister(source, { fetch: pdsFetch, limiter }, cfg.backfill.pageSize),
        resyncer,
        collections: (did, signal) => fetcher.collections(did, { signal }),
        concurrency: cfg.resync.concurrency * 2,
        ...(opts.onBackfillProgress && { onProgress: opts.onBackfillProgress }),
      })
    : undefined
  log.root.info(
    { port, firehose: follow ? cfg.firehoseUrl : null, backfill: backfill ? source : null, db: cfg.db.dialect },
    'indexer started',
  )

  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= (async () => {
      abort.abort()
      await subscription
      // The backfill waits on resyncs: stop it first, then abort the resyncs it waits on.
      const backfillStopped = backfill?.stop()
      await resyncer.close()
      await backfillStopped
      await origins.close()
      await ingester.flush()
      await checkpointer.stop()
      await api.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      await ctx[Symbol.asyncDispose]()
      log.root.info('indexer stopped')
    })()
    return stopping
  }
  return {
    cfg,
    port,
    url: `http://${host}:${port}`,
    store,
    metrics,
    ingester,
    resyncer,
    origins,
    backfill,
    log: logStore,
    checkpointer,
    did: identity.did,
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

/** Handle → DID as a Result: the override (tests, operators) or the HandleResolver. */
function handleResolver(ctx: AppContext, overrides: IndexerOverrides) {
  const resolve = overrides.resolveHandle
  if (!resolve) return (handle: string) => ctx.handles.resolve(handle)
  return async (handle: string): Promise<Result<string, Error>> => {
    const did = await resolve(handle)
    return did === null ? err(new Error(`handle not resolved handle=${handle}`)) : ok(did)
  }
}

/** The http(s) origin of a ws(s) firehose URL: where the relay's (or PDS's) listings are asked. */
function httpBase(firehoseUrl: string): string {
  const url = new URL(firehoseUrl)
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:'
  return url.origin
}

/** Config from the environment (the service's one place that reads it). */
export function configFromEnv(): IndexerConfig {
  return buildConfig(readEnv())
}
