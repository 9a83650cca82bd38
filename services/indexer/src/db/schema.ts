import type { Generated } from 'kysely'

/** A current declaration: the latest version of one record that states a preference. */
export interface DeclarationTable {
  uri: string
  did: string
  collection: string
  rkey: string
  cid: string
  rev: string
  /** declaration | postTag | profileTag | userIntents | preferenceAi */
  source: string
  /** account | collection | record | origin */
  scope_type: string
  /** The collection NSID, record at-uri or origin, by scope type; null for account scope. */
  scope_target: string | null
  scope_cid: string | null
  /** JSON of the normalised preferences ({ trainAi?: 'allow'|'deny', … }). */
  preferences: string
  statement: string | null
  license_uri: string | null
  created_at: string | null
  /** 1 when an origin scope's binding to the account was verified. */
  origin_verified: number
  indexed_at: string
  /** CAR slice: signed commit + MST path + record block. */
  proof: Uint8Array
  /** The change that wrote this version. */
  seq: number
}

/** The feed of changes, in index order; never rewritten. */
export interface ChangeTable {
  seq: Generated<number>
  /** create | update | delete | hide | restore | purge */
  kind: string
  did: string
  uri: string | null
  cid: string | null
  rev: string | null
  indexed_at: string
  /** JSON of the declaration view at this change (create/update). */
  view: string | null
}

/** What the indexer knows of each repository it tracks. */
export interface RepoTable {
  did: string
  rev: string
  /** MST root of the last validated commit. */
  data_cid: string
  commit_cid: string
  /** active | deactivated | takendown | suspended | deleted | desynchronized */
  status: string
  handle: string | null
  updated_at: string
  /**
   * The rev of the last resync or backfill snapshot written (migration 002): firehose commits at
   * or below it are already covered by that snapshot and are skipped quietly.
   */
  resync_rev: string | null
}

/** When the binding of an origin-scope declaration version was last checked (migration 002). */
export interface OriginCheckTable {
  uri: string
  /** The declaration version checked. */
  cid: string
  checked_at: string
  /** handle | well-known | null (not bound) */
  via: string | null
}

/** A resync asked for and not yet done: survives restarts (migration 002). */
export interface ResyncRequestTable {
  did: string
  /** chain-broken | sync | did-unavailable | … */
  reason: string
  requested_at: string
  attempts: number
  last_attempt_at: string | null
  last_error: string | null
}

/** One backfill run at a time; completed_at is set when every repository found was fetched. */
export interface BackfillRunTable {
  id: string
  /** The host the repositories are listed from. */
  source: string
  started_at: string
  completed_at: string | null
}

/** Listing progress of the running backfill, one row per listing (a collection, or listRepos). */
export interface BackfillCursorTable {
  key: string
  cursor: string | null
  done: number
  updated_at: string
}

/** Repositories the running backfill found, and how far each got. */
export interface BackfillRepoTable {
  did: string
  /** candidate (listRepos: collections not yet known) | pending | done | skipped | failed */
  state: string
  error: string | null
  updated_at: string
}

export interface CursorTable {
  source: string
  seq: number
  updated_at: string
}

export interface DatabaseSchema {
  declaration: DeclarationTable
  change: ChangeTable
  repo: RepoTable
  cursor: CursorTable
  resync_request: ResyncRequestTable
  origin_check: OriginCheckTable
  backfill_run: BackfillRunTable
  backfill_cursor: BackfillCursorTable
  backfill_repo: BackfillRepoTable
}
