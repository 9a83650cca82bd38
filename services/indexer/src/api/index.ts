import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { schemas as atprotoSchemas } from '@atproto/api'
import { createServer as createXrpcServer, InvalidRequestError, XRPCError } from '@atproto/xrpc-server'
import { bskyIds, ids, schemas } from '@donottrain/lexicon'
import checkSubjects from './ai/donottrain/checkSubjects.js'
import getProof from './ai/donottrain/getProof.js'
import getStatus from './ai/donottrain/getStatus.js'
import listDeclarations from './ai/donottrain/listDeclarations.js'
import getLogCheckpoint from './ai/donottrain/log/getCheckpoint.js'
import getLogConsistencyProof from './ai/donottrain/log/getConsistencyProof.js'
import getLogEntries from './ai/donottrain/log/getEntries.js'
import getLogInclusionProof from './ai/donottrain/log/getInclusionProof.js'
import { createDeclarationStream } from './ai/donottrain/subscribeDeclarations.js'
import describeFeedGenerator from './app/bsky/feed/describeFeedGenerator.js'
import getFeedSkeleton from './app/bsky/feed/getFeedSkeleton.js'
import type { ApiContext } from './context.js'
import { createFastPath } from './fast-path.js'
import { RateLimiter } from './rate-limit.js'
import { json } from './server.js'
import { queryStatusReads, sqlStatusReads } from './status-reads.js'

export type { ApiContext } from './context.js'
export { LIMITS } from './context.js'
export { createHandleLookup, type ResolveHandle } from './handles.js'
export {
  decodeEd25519Multikey,
  loadSigningSeed,
  type ServiceIdentity,
  serviceIdentity,
} from './service-identity.js'

type Route = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>

export interface Api {
  /** HTTP routes for createHttpServer: CORS, rate limit, /.well-known/did.json, /xrpc/*. */
  routes: Route[]
  /** The subscription's websocket upgrades. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void
  close(): Promise<void>
}

const FEED_LEXICONS = new Set<string>([
  bskyIds.feedDefs,
  bskyIds.feedDescribeFeedGenerator,
  bskyIds.feedGetFeedSkeleton,
])

/** The indexer's XRPC API on @atproto/xrpc-server: every method declared in lexicons/, validated in and out. */
export function createApi(base: ApiContext, opts: { corsOrigin: string; rateLimitPerMinute: number }): Api {
  const db = base.db
  const ctx: ApiContext = {
    ...base,
    reads: base.reads ?? (db ? sqlStatusReads(db) : queryStatusReads(base.queries, base.tlog.store)),
  }
  const docs = [...schemas, ...atprotoSchemas.filter((d) => FEED_LEXICONS.has(d.id))]
  const options = {
    payload: { jsonLimit: 64 * 1024, textLimit: 64 * 1024, blobLimit: 64 * 1024 },
    errorParser: (err: unknown) => namedError(err),
  }
  // Every answer is checked against its lexicon on the way out, except checkSubjects': its
  // results are statusViews built by the same code as getStatus's (which is checked), and
  // checking 1,000 of them costs more than answering them (see bench/RESULTS.md).
  const xrpc = createXrpcServer(docs, { ...options, validateResponse: true })
  const batchXrpc = createXrpcServer(docs, { ...options, validateResponse: false })
  for (const register of [
    getStatus,
    listDeclarations,
    getProof,
    describeFeedGenerator,
    getFeedSkeleton,
    getLogCheckpoint,
    getLogInclusionProof,
    getLogConsistencyProof,
    getLogEntries,
  ]) {
    register(xrpc, ctx)
  }
  checkSubjects(batchXrpc, ctx)
  const fastPath = createFastPath(ctx, namedError)
  const stream = createDeclarationStream(ctx)
  const limiter = new RateLimiter(opts.rateLimitPerMinute)
  ctx.metrics.counter('donottrain_api_requests_total', 'API requests, by method and status')
  ctx.metrics.counter('donottrain_api_rate_limited_total', 'API requests refused by the per-IP rate limit')

  const cors: Route = (req, res) => {
    res.setHeader('access-control-allow-origin', opts.corsOrigin)
    res.setHeader('vary', 'origin')
    if (req.method !== 'OPTIONS') return false
    res.writeHead(204, {
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': 'content-type, atproto-accept-labelers',
      'access-control-max-age': '86400',
    })
    res.end()
    return true
  }
  const rateLimit: Route = (req, res) => {
    const wait = limiter.take(req.socket.remoteAddress ?? 'unknown')
    if (wait === 0) return false
    ctx.metrics.inc('donottrain_api_rate_limited_total')
    res.setHeader('retry-after', String(wait))
    json(res, 429, { error: 'RateLimitExceeded', message: `too many requests; retry after ${wait}s` })
    return true
  }
  const wellKnown: Route = (req, res) => {
    if (req.url !== '/.well-known/did.json') return false
    json(res, 200, ctx.identity.didDocument())
    return true
  }
  const known = new Set<string>(docs.map((d) => d.id))
  const xrpcRoute: Route = (req, res) => {
    if (!req.url?.startsWith('/xrpc/')) return false
    const nsid = req.url.slice('/xrpc/'.length).split('?')[0] ?? ''
    // Label by known method only: a caller must not be able to grow the metric's label set.
    const method = known.has(nsid) ? nsid : 'other'
    res.once('finish', () =>
      ctx.metrics.inc('donottrain_api_requests_total', { method, status: String(res.statusCode) }),
    )
    // getStatus and checkSubjects, when plain, skip express (same checks, same answers).
    const fast = fastPath(req, res, nsid)
    if (fast !== false) return fast
    const server = nsid === ids.AiDonottrainCheckSubjects ? batchXrpc : xrpc
    server.router(req as never, res as never)
    return true
  }

  return {
    routes: [cors, wellKnown, rateLimit, xrpcRoute],
    handleUpgrade(req, socket, head) {
      const wait = limiter.take(req.socket.remoteAddress ?? 'unknown')
      if (wait > 0 || !stream.handleUpgrade(req, socket, head)) socket.destroy()
    },
    close: async () => {
      await stream.close()
      ctx.reads?.close()
    },
  }
}

/** Gives lexicon-bound violations their documented error names. */
function namedError(err: unknown): XRPCError {
  const xe = XRPCError.fromError(err)
  if (xe instanceof InvalidRequestError && /subjects must not have more than 1000 elements/i.test(xe.message)) {
    return new InvalidRequestError('at most 1000 subjects per call', 'TooManySubjects')
  }
  return xe
}
