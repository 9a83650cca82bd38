import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Queries } from '../db/queries.js'
import type { DatabaseSchema } from '../db/schema.js'
import type { Metrics } from '../metrics.js'
import type { Checkpointer } from '../tlog/checkpointer.js'
import type { LogStore } from '../tlog/log-store.js'
import type { ServiceIdentity } from './service-identity.js'
import type { HandleLookup } from './status.js'
import type { StatusReads } from './status-reads.js'

/** What the API handlers read from: the store's read side and the service's identity. */
export interface ApiContext {
  queries: Queries
  /**
   * The store's Kysely handle, for the hand-written reads of getStatus and checkSubjects
   * (status-reads.ts). Without it they use `queries`' builders, which cost more per request.
   */
  db?: Kysely<DatabaseSchema>
  /** The status reads in use; createApi sets them. */
  reads?: StatusReads
  lookupHandles: HandleLookup
  identity: ServiceIdentity
  metrics: Metrics
  log: Logger
  /** The feed this indexer serves, when an operator published its generator record. */
  feed: { publisherDid: string | null; rkey: string }
  /** Newest changes poll interval for live subscribers. */
  pollMs: number
  /** Bytes a subscriber's socket may hold unsent before it is cut off as too slow. */
  subscriberHighWaterMark: number
  /** The transparency log. */
  tlog: { store: LogStore; checkpointer: Checkpointer; origin: string; verifierKey: string }
}

/** Bounds every handler enforces. */
export const LIMITS = {
  maxSubjects: 1000,
  maxListLimit: 1000,
  defaultListLimit: 100,
  maxFeedLimit: 100,
  defaultFeedLimit: 50,
  maxLogEntries: 1000,
  defaultLogEntries: 100,
} as const
