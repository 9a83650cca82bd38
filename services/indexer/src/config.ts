import { resolve } from 'node:path'

/** Raw settings as read from the environment: strings, unvalidated. */
export type IndexerEnv = Partial<Record<(typeof ENV_KEYS)[number], string>>

export const ENV_KEYS = [
  'INDEXER_FIREHOSE_URL',
  'INDEXER_DB_URL',
  'INDEXER_HOST',
  'INDEXER_PORT',
  'INDEXER_PLC_URL',
  'INDEXER_ALLOW_LOOPBACK',
  'INDEXER_LOG_LEVEL',
  'INDEXER_MAX_FRAME_BYTES',
  'INDEXER_QUEUE_SIZE',
  'INDEXER_DID_CACHE_TTL_SECONDS',
  'INDEXER_IDLE_TIMEOUT_SECONDS',
  'INDEXER_MAX_REV_SKEW_SECONDS',
  'INDEXER_PUBLIC_URL',
  'INDEXER_SIGNING_KEY',
  'INDEXER_KEY_FILE',
  'INDEXER_RATE_LIMIT_PER_MINUTE',
  'INDEXER_CORS_ORIGIN',
  'INDEXER_FEED_PUBLISHER_DID',
  'INDEXER_CHECKPOINT_SECONDS',
  'INDEXER_RESYNC_CONCURRENCY',
  'INDEXER_RESYNC_RATE_PER_SECOND',
  'INDEXER_RESYNC_BURST',
  'INDEXER_RESYNC_MAX_REPO_BYTES',
  'INDEXER_RESYNC_TIMEOUT_SECONDS',
  'INDEXER_RESYNC_MAX_ATTEMPTS',
  'INDEXER_RESYNC_MIN_BACKOFF_SECONDS',
  'INDEXER_RESYNC_MAX_BACKOFF_SECONDS',
  'INDEXER_RESYNC_QUEUE_SIZE',
  'INDEXER_RESYNC_HOLD_EVENTS',
  'INDEXER_RESYNC_SWEEP_SECONDS',
  'INDEXER_BACKFILL_URL',
  'INDEXER_BACKFILL_PAGE_SIZE',
  'INDEXER_ORIGIN_CONCURRENCY',
  'INDEXER_ORIGIN_TIMEOUT_SECONDS',
  'INDEXER_ORIGIN_QUEUE_SIZE',
] as const

export interface IndexerConfig {
  /** subscribeRepos websocket URL of the relay or PDS. */
  firehoseUrl: string
  db: { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string }
  host: string
  port: number
  plcUrl: string
  /** Dev/test only: allow DID documents and PDS endpoints on loopback addresses. */
  allowLoopback: boolean
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  maxFrameBytes: number
  /** Events buffered between the socket and the store before reading pauses. */
  queueSize: number
  didCacheTtlMs: number
  /** A socket silent this long is considered dead and reconnected. */
  idleTimeoutMs: number
  /** How far in the future a commit rev may be. */
  maxRevSkewMs: number
  /** Public base URL; its host names the indexer's did:web (null: derived from host and port). */
  publicUrl: string | null
  /** Ed25519 signing key (base64 of the 32-byte seed), or null to use/create keyFile. */
  signingKey: string | null
  /** Where the generated signing key is kept (mode 0600). */
  keyFile: string
  /** API requests per client IP per minute (0: unlimited). */
  rateLimitPerMinute: number
  /** Access-Control-Allow-Origin for the API. */
  corsOrigin: string
  /** The account whose app.bsky.feed.generator record (rkey `donottrain`) points at this indexer. */
  feedPublisherDid: string | null
  /** A new signed log checkpoint at least this often while the log grows. */
  checkpointIntervalMs: number
  resync: ResyncConfig
  backfill: BackfillConfig
  origin: OriginConfig
}

/** Fetching an account's state again from its PDS (after a chain break, a #sync, an outage). */
export interface ResyncConfig {
  /** Repositories fetched at once. */
  concurrency: number
  /** Requests per second to one PDS host (token bucket refill rate). */
  ratePerSecond: number
  /** Requests one PDS host may get in a burst (token bucket size). */
  burst: number
  /** Largest com.atproto.sync.getRepo answer read; a larger repo is fetched record by record. */
  maxRepoBytes: number
  /** Cap on one request to a PDS. */
  timeoutMs: number
  /** Tries per resync before it is left to the sweep. */
  maxAttempts: number
  minBackoffMs: number
  maxBackoffMs: number
  /** Repositories waiting for a resync in memory; more wait in the database for the sweep. */
  queueSize: number
  /** Firehose commits of one repository held while its resync runs; more means another resync. */
  holdEvents: number
  /** How often resyncs left pending in the database are tried again. */
  sweepMs: number
}

export interface BackfillConfig {
  /** Host asked for com.atproto.sync.listReposByCollection / listRepos (null: the firehose host). */
  url: string | null
  /** Repositories per listing page. */
  pageSize: number
}

/** Checking #originScope bindings (handle or /.well-known/atproto-did). */
export interface OriginConfig {
  concurrency: number
  timeoutMs: number
  queueSize: number
}

export const DEFAULTS = {
  INDEXER_FIREHOSE_URL: 'wss://bsky.network',
  INDEXER_DB_URL: 'sqlite:./data/indexer.sqlite',
  INDEXER_HOST: '0.0.0.0',
  INDEXER_PORT: '2584',
  INDEXER_PLC_URL: 'https://plc.directory',
  INDEXER_ALLOW_LOOPBACK: 'false',
  INDEXER_LOG_LEVEL: 'info',
  INDEXER_MAX_FRAME_BYTES: String(5 * 1024 * 1024),
  INDEXER_QUEUE_SIZE: '1000',
  INDEXER_DID_CACHE_TTL_SECONDS: '3600',
  INDEXER_IDLE_TIMEOUT_SECONDS: '60',
  INDEXER_MAX_REV_SKEW_SECONDS: '300',
  INDEXER_PUBLIC_URL: '',
  INDEXER_SIGNING_KEY: '',
  INDEXER_KEY_FILE: './data/signing-key',
  INDEXER_RATE_LIMIT_PER_MINUTE: '600',
  INDEXER_CORS_ORIGIN: '*',
  INDEXER_FEED_PUBLISHER_DID: '',
  INDEXER_CHECKPOINT_SECONDS: '60',
  INDEXER_RESYNC_CONCURRENCY: '4',
  INDEXER_RESYNC_RATE_PER_SECOND: '5',
  INDEXER_RESYNC_BURST: '10',
  INDEXER_RESYNC_MAX_REPO_BYTES: String(32 * 1024 * 1024),
  INDEXER_RESYNC_TIMEOUT_SECONDS: '30',
  INDEXER_RESYNC_MAX_ATTEMPTS: '6',
  INDEXER_RESYNC_MIN_BACKOFF_SECONDS: '2',
  INDEXER_RESYNC_MAX_BACKOFF_SECONDS: '300',
  INDEXER_RESYNC_QUEUE_SIZE: '10000',
  INDEXER_RESYNC_HOLD_EVENTS: '500',
  INDEXER_RESYNC_SWEEP_SECONDS: '600',
  INDEXER_BACKFILL_URL: '',
  INDEXER_BACKFILL_PAGE_SIZE: '500',
  INDEXER_ORIGIN_CONCURRENCY: '4',
  INDEXER_ORIGIN_TIMEOUT_SECONDS: '5',
  INDEXER_ORIGIN_QUEUE_SIZE: '10000',
} as const satisfies Record<(typeof ENV_KEYS)[number], string>

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Reads the INDEXER_* variables, raw. The one place the indexer reads the environment. */
export function readEnv(env: NodeJS.ProcessEnv = process.env): IndexerEnv {
  const out: IndexerEnv = {}
  for (const key of ENV_KEYS) if (env[key] !== undefined && env[key] !== '') out[key] = env[key]
  return out
}

/** Builds a validated config from raw settings, with defaults; throws ConfigError on bad values. */
export function buildConfig(raw: IndexerEnv = {}, cwd = process.cwd()): IndexerConfig {
  const get = (key: keyof typeof DEFAULTS) => raw[key] ?? DEFAULTS[key]
  return {
    firehoseUrl: firehoseUrl(get('INDEXER_FIREHOSE_URL')),
    db: dbConfig(get('INDEXER_DB_URL'), cwd),
    host: get('INDEXER_HOST'),
    port: int('INDEXER_PORT', get('INDEXER_PORT'), 0, 65535),
    plcUrl: httpUrl('INDEXER_PLC_URL', get('INDEXER_PLC_URL')),
    allowLoopback: bool('INDEXER_ALLOW_LOOPBACK', get('INDEXER_ALLOW_LOOPBACK')),
    logLevel: logLevel(get('INDEXER_LOG_LEVEL')),
    maxFrameBytes: int('INDEXER_MAX_FRAME_BYTES', get('INDEXER_MAX_FRAME_BYTES'), 1024, 64 * 1024 * 1024),
    queueSize: int('INDEXER_QUEUE_SIZE', get('INDEXER_QUEUE_SIZE'), 1, 1_000_000),
    didCacheTtlMs: int('INDEXER_DID_CACHE_TTL_SECONDS', get('INDEXER_DID_CACHE_TTL_SECONDS'), 0, 7 * 86400) * 1000,
    idleTimeoutMs: int('INDEXER_IDLE_TIMEOUT_SECONDS', get('INDEXER_IDLE_TIMEOUT_SECONDS'), 1, 3600) * 1000,
    maxRevSkewMs: int('INDEXER_MAX_REV_SKEW_SECONDS', get('INDEXER_MAX_REV_SKEW_SECONDS'), 0, 86400) * 1000,
    publicUrl: get('INDEXER_PUBLIC_URL') === '' ? null : httpUrl('INDEXER_PUBLIC_URL', get('INDEXER_PUBLIC_URL')),
    signingKey: signingKey(get('INDEXER_SIGNING_KEY')),
    keyFile: resolve(cwd, get('INDEXER_KEY_FILE')),
    rateLimitPerMinute: int('INDEXER_RATE_LIMIT_PER_MINUTE', get('INDEXER_RATE_LIMIT_PER_MINUTE'), 0, 10_000_000),
    corsOrigin: get('INDEXER_CORS_ORIGIN'),
    feedPublisherDid: feedDid(get('INDEXER_FEED_PUBLISHER_DID')),
    checkpointIntervalMs: int('INDEXER_CHECKPOINT_SECONDS', get('INDEXER_CHECKPOINT_SECONDS'), 1, 86400) * 1000,
    resync: resyncConfig(get),
    backfill: {
      url: get('INDEXER_BACKFILL_URL') === '' ? null : httpUrl('INDEXER_BACKFILL_URL', get('INDEXER_BACKFILL_URL')),
      pageSize: int('INDEXER_BACKFILL_PAGE_SIZE', get('INDEXER_BACKFILL_PAGE_SIZE'), 1, 1000),
    },
    origin: {
      concurrency: int('INDEXER_ORIGIN_CONCURRENCY', get('INDEXER_ORIGIN_CONCURRENCY'), 1, 256),
      timeoutMs: int('INDEXER_ORIGIN_TIMEOUT_SECONDS', get('INDEXER_ORIGIN_TIMEOUT_SECONDS'), 1, 60) * 1000,
      queueSize: int('INDEXER_ORIGIN_QUEUE_SIZE', get('INDEXER_ORIGIN_QUEUE_SIZE'), 1, 10_000_000),
    },
  }
}

function resyncConfig(get: (key: keyof typeof DEFAULTS) => string): ResyncConfig {
  const seconds = (key: keyof typeof DEFAULTS, min: number, max: number) => int(key, get(key), min, max) * 1000
  const cfg: ResyncConfig = {
    concurrency: int('INDEXER_RESYNC_CONCURRENCY', get('INDEXER_RESYNC_CONCURRENCY'), 1, 256),
    ratePerSecond: int('INDEXER_RESYNC_RATE_PER_SECOND', get('INDEXER_RESYNC_RATE_PER_SECOND'), 1, 10_000),
    burst: int('INDEXER_RESYNC_BURST', get('INDEXER_RESYNC_BURST'), 1, 10_000),
    maxRepoBytes: int('INDEXER_RESYNC_MAX_REPO_BYTES', get('INDEXER_RESYNC_MAX_REPO_BYTES'), 0, 2 * 1024 ** 3),
    timeoutMs: seconds('INDEXER_RESYNC_TIMEOUT_SECONDS', 1, 3600),
    maxAttempts: int('INDEXER_RESYNC_MAX_ATTEMPTS', get('INDEXER_RESYNC_MAX_ATTEMPTS'), 1, 100),
    minBackoffMs: seconds('INDEXER_RESYNC_MIN_BACKOFF_SECONDS', 1, 3600),
    maxBackoffMs: seconds('INDEXER_RESYNC_MAX_BACKOFF_SECONDS', 1, 86400),
    queueSize: int('INDEXER_RESYNC_QUEUE_SIZE', get('INDEXER_RESYNC_QUEUE_SIZE'), 1, 10_000_000),
    holdEvents: int('INDEXER_RESYNC_HOLD_EVENTS', get('INDEXER_RESYNC_HOLD_EVENTS'), 1, 100_000),
    sweepMs: seconds('INDEXER_RESYNC_SWEEP_SECONDS', 1, 7 * 86400),
  }
  if (cfg.maxBackoffMs < cfg.minBackoffMs) {
    throw new ConfigError(
      `INDEXER_RESYNC_MAX_BACKOFF_SECONDS must not be below INDEXER_RESYNC_MIN_BACKOFF_SECONDS value=${cfg.maxBackoffMs / 1000}`,
    )
  }
  return cfg
}

function firehoseUrl(value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigError(`INDEXER_FIREHOSE_URL is not a url value=${value}`)
  }
  if (url.protocol === 'https:') url.protocol = 'wss:'
  if (url.protocol === 'http:') url.protocol = 'ws:'
  if (url.protocol !== 'wss:' && url.protocol !== 'ws:') {
    throw new ConfigError(`INDEXER_FIREHOSE_URL must be ws(s) or http(s) value=${value}`)
  }
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/xrpc/com.atproto.sync.subscribeRepos'
  url.search = ''
  return url.href
}

function dbConfig(value: string, cwd: string): IndexerConfig['db'] {
  if (value.startsWith('postgres://') || value.startsWith('postgresql://')) return { dialect: 'postgres', url: value }
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length)
    if (path === '')
      throw new ConfigError('INDEXER_DB_URL sqlite: needs a file path, e.g. sqlite:./data/indexer.sqlite')
    return { dialect: 'sqlite', path: path === ':memory:' ? path : resolve(cwd, path) }
  }
  throw new ConfigError('INDEXER_DB_URL must start with sqlite: or postgres://')
}

function feedDid(value: string): string | null {
  if (value === '') return null
  if (!/^did:(plc:[a-z2-7]{24}|web:[a-zA-Z0-9.%-]+)$/.test(value)) {
    throw new ConfigError(`INDEXER_FEED_PUBLISHER_DID must be a did:plc or did:web value=${value}`)
  }
  return value
}

function signingKey(value: string): string | null {
  if (value === '') return null
  if (!/^[A-Za-z0-9+/]{43}=$/.test(value) || Buffer.from(value, 'base64').length !== 32) {
    throw new ConfigError('INDEXER_SIGNING_KEY must be the base64 of a 32-byte Ed25519 seed (value not shown)')
  }
  return value
}

function httpUrl(name: string, value: string): string {
  try {
    const url = new URL(value)
    if (url.protocol === 'https:' || url.protocol === 'http:') return url.href.replace(/\/$/, '')
  } catch {}
  throw new ConfigError(`${name} must be an http(s) url value=${value}`)
}

function int(name: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value)) throw new ConfigError(`${name} must be a whole number value=${value}`)
  const n = Number(value)
  if (n < min || n > max) throw new ConfigError(`${name} out of range value=${value} min=${min} max=${max}`)
  return n
}

function bool(name: string, value: string): boolean {
  if (value === 'true' || value === '1') return true
  if (value === 'false' || value === '0') return false
  throw new ConfigError(`${name} must be true or false value=${value}`)
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
function logLevel(value: string): IndexerConfig['logLevel'] {
  if ((LEVELS as readonly string[]).includes(value)) return value as IndexerConfig['logLevel']
  throw new ConfigError(`INDEXER_LOG_LEVEL must be one of ${LEVELS.join(', ')} value=${value}`)
}
