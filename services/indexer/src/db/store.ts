import type { Kysely, Transaction } from 'kysely'
import { BackfillStore } from './backfill-store.js'
import type { Db } from './db.js'
import { recordOriginCheck } from './origin-write.js'
import { PreparedQuery } from './prepared.js'
import { DECLARATION_COLUMNS } from './queries.js'
import { type ChangeKind, insertChange, type RecordChange, writeRecord } from './record-write.js'
import type { DatabaseSchema, DeclarationTable, RepoTable, ResyncRequestTable } from './schema.js'
import { applySnapshot, type SnapshotResult, type SnapshotWrite } from './snapshot-write.js'

export type { ChangeKind, RecordChange } from './record-write.js'
export type { SnapshotOutcome, SnapshotResult, SnapshotWrite } from './snapshot-write.js'

type Conn = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>

/** A firehose cursor: the last seq of `source` whose effects are durable. */
export interface Cursor {
  source: string
  seq: number
}

export interface CommitWrite {
  did: string
  rev: string
  dataCid: string
  commitCid: string
  changes: RecordChange[]
  /** Track the repository from now on (it holds or held a declaration). */
  track: boolean
}

const selectRepo = new PreparedQuery(1, (db: Conn, did: string) =>
  db.selectFrom('repo').selectAll().where('did', '=', did),
)

const upsertCursor = new PreparedQuery(3, (db: Conn, source: string, seq: number, updated_at: string) =>
  db
    .insertInto('cursor')
    .values({ source, seq, updated_at })
    .onConflict((oc) => oc.column('source').doUpdateSet({ seq, updated_at })),
)

const upsertRepo = new PreparedQuery(
  5,
  (db: Conn, did: string, rev: string, data_cid: string, commit_cid: string, updated_at: string) => {
    const repo = { rev, data_cid, commit_cid, updated_at }
    return db
      .insertInto('repo')
      .values({ did, status: 'active', handle: null, ...repo })
      .onConflict((oc) => oc.column('did').doUpdateSet(repo))
  },
)

const INACTIVE = ['deactivated', 'takendown', 'suspended']

export type AccountStatus = 'active' | 'deactivated' | 'takendown' | 'suspended' | 'deleted' | 'desynchronized'

/** An origin-scope declaration, as the origin checker needs it. */
export interface OriginDeclaration {
  uri: string
  did: string
  cid: string
  origin: string
  origin_verified: number
}

/** All reads and writes of the indexer's store. Every write runs in one transaction. */
export class Store {
  /** The backfill's progress (its own tables). */
  readonly backfill: BackfillStore

  constructor(readonly db: Db) {
    this.backfill = new BackfillStore(db.kysely)
  }

  get kysely(): Kysely<DatabaseSchema> {
    return this.db.kysely
  }

  async trackedDids(): Promise<Set<string>> {
    const rows = await this.kysely.selectFrom('repo').select('did').execute()
    return new Set(rows.map((r) => r.did))
  }

  async getRepo(did: string): Promise<RepoTable | undefined> {
    return selectRepo.first(this.kysely, did)
  }

  async getCursor(source: string): Promise<number | undefined> {
    const row = await this.kysely.selectFrom('cursor').select('seq').where('source', '=', source).executeTakeFirst()
    return row?.seq
  }

  async saveCursor(source: string, seq: number, conn: Conn = this.kysely): Promise<void> {
    await upsertCursor.execute(conn, source, seq, new Date().toISOString())
  }

  /**
   * Applies a validated commit: declarations upserted or deleted by URI, a change row per
   * effective change, the repository state, and the firehose cursor — in one transaction, so a
   * crash leaves either all of it or none. Re-applying the same commit changes nothing.
   */
  async applyCommit(write: CommitWrite, cursor?: Cursor): Promise<ChangeKind[]> {
    return (await this.applyCommits([write], cursor))[0] as ChangeKind[]
  }

  /**
   * Applies validated commits in order (several accounts, or consecutive commits of one), then
   * the firehose cursor, in one transaction: the cursor only ever covers durable data. Returns
   * the change kinds written for each commit.
   */
  async applyCommits(writes: readonly CommitWrite[], cursor?: Cursor): Promise<ChangeKind[][]> {
    return this.kysely.transaction().execute(async (tx) => {
      const now = new Date().toISOString()
      const out: ChangeKind[][] = []
      for (const write of writes) {
        const kinds: ChangeKind[] = []
        for (const change of write.changes) {
          const kind = await writeRecord(tx, write, change, now)
          if (kind) kinds.push(kind)
        }
        if (write.track) await upsertRepo.execute(tx, write.did, write.rev, write.dataCid, write.commitCid, now)
        out.push(kinds)
      }
      if (cursor) await this.saveCursor(cursor.source, cursor.seq, tx)
      return out
    })
  }

  /**
   * Records an account status change. Inactive accounts' declarations are hidden (kept, not
   * served); reactivation restores them; deletion purges them. A change row marks each.
   */
  async setAccountStatus(did: string, status: AccountStatus, cursor?: Cursor): Promise<ChangeKind | null> {
    return this.kysely.transaction().execute(async (tx) => {
      const repo = await tx.selectFrom('repo').select(['status']).where('did', '=', did).executeTakeFirst()
      const now = new Date().toISOString()
      let kind: ChangeKind | null = null
      if (repo) {
        const wasActive = repo.status === 'active' || repo.status === 'desynchronized'
        if (status === 'deleted') {
          await tx
            .deleteFrom('origin_check')
            .where('uri', 'in', (qb) => qb.selectFrom('declaration').select('uri').where('did', '=', did))
            .execute()
          await tx.deleteFrom('declaration').where('did', '=', did).execute()
          await tx.deleteFrom('repo').where('did', '=', did).execute()
          await tx.deleteFrom('resync_request').where('did', '=', did).execute()
          kind = 'purge'
        } else {
          const isActive = status === 'active' || status === 'desynchronized'
          if (wasActive && !isActive) kind = 'hide'
          if (!wasActive && isActive) kind = 'restore'
          // An active account whose chain broke stays desynchronized until its resync is written.
          const next = status === 'active' && repo.status === 'desynchronized' ? repo.status : status
          if (repo.status !== next) {
            await tx.updateTable('repo').set({ status: next, updated_at: now }).where('did', '=', did).execute()
          }
        }
        if (kind) await insertChange(tx, { kind, did, uri: null, cid: null, rev: null, indexed_at: now, view: null })
      }
      if (cursor) await this.saveCursor(cursor.source, cursor.seq, tx)
      return kind
    })
  }

  /**
   * Asks for a resync of `did`, durably: a resync request row (kept until a snapshot is written)
   * and, for a tracked active repository, the status `desynchronized` — with the cursor, in one
   * transaction, so a crash after the cursor moved on still resyncs on restart.
   */
  async requestResync(did: string, reason: string, cursor?: Cursor): Promise<void> {
    await this.kysely.transaction().execute(async (tx) => {
      const now = new Date().toISOString()
      await tx
        .insertInto('resync_request')
        .values({ did, reason, requested_at: now, attempts: 0 })
        .onConflict((oc) => oc.column('did').doUpdateSet({ reason, requested_at: now }))
        .execute()
      await tx
        .updateTable('repo')
        .set({ status: 'desynchronized', updated_at: now })
        .where('did', '=', did)
        .where('status', '=', 'active')
        .execute()
      if (cursor) await this.saveCursor(cursor.source, cursor.seq, tx)
    })
  }

  /**
   * Resync requests not tried since `notTriedSince` (ISO time), oldest first; not those of
   * inactive accounts (their PDS refuses to serve them; reactivation brings a #sync).
   */
  async resyncRequests(limit: number, notTriedSince: string): Promise<ResyncRequestTable[]> {
    return this.kysely
      .selectFrom('resync_request as r')
      .leftJoin('repo', 'repo.did', 'r.did')
      .selectAll('r')
      .where((eb) => eb.or([eb('r.last_attempt_at', 'is', null), eb('r.last_attempt_at', '<', notTriedSince)]))
      .where((eb) => eb.or([eb('repo.status', 'is', null), eb('repo.status', 'not in', INACTIVE)]))
      .orderBy('r.requested_at')
      .orderBy('r.did')
      .limit(limit)
      .execute()
  }

  async getResyncRequest(did: string): Promise<ResyncRequestTable | undefined> {
    return this.kysely.selectFrom('resync_request').selectAll().where('did', '=', did).executeTakeFirst()
  }

  /** Notes a failed resync attempt on its request (the sweep tries it again later). */
  async noteResyncFailure(did: string, error: string): Promise<void> {
    await this.kysely
      .updateTable('resync_request')
      .set((eb) => ({
        attempts: eb('attempts', '+', 1),
        last_attempt_at: new Date().toISOString(),
        last_error: error.slice(0, 500),
      }))
      .where('did', '=', did)
      .execute()
  }

  /**
   * Reconciles an account with a verified snapshot of its repository (see applySnapshot): one
   * transaction for the declarations, their change rows, the repository state and the request.
   */
  async applySnapshot(write: SnapshotWrite): Promise<SnapshotResult> {
    return applySnapshot(this.db, write)
  }

  /** The URIs of every stored declaration of an account (bounded pages, in URI order). */
  async declarationUris(did: string, pageSize = 1000): Promise<string[]> {
    const out: string[] = []
    let after = ''
    for (;;) {
      const rows = await this.kysely
        .selectFrom('declaration')
        .select('uri')
        .where('did', '=', did)
        .where('uri', '>', after)
        .orderBy('uri')
        .limit(pageSize)
        .execute()
      for (const r of rows) out.push(r.uri)
      if (rows.length < pageSize) return out
      after = (rows.at(-1) as { uri: string }).uri
    }
  }

  /** The origin-scope declarations of an account. */
  async originDeclarations(did: string): Promise<OriginDeclaration[]> {
    return this.kysely
      .selectFrom('declaration')
      .select(['uri', 'did', 'cid', 'scope_target as origin', 'origin_verified'])
      .where('did', '=', did)
      .where('scope_type', '=', 'origin')
      .orderBy('uri')
      .execute() as Promise<OriginDeclaration[]>
  }

  /** Origin-scope declaration versions whose binding was never checked, in URI order after `after`. */
  async uncheckedOrigins(after: string, limit: number): Promise<OriginDeclaration[]> {
    return this.kysely
      .selectFrom('declaration as d')
      .leftJoin('origin_check as o', (j) => j.onRef('o.uri', '=', 'd.uri').onRef('o.cid', '=', 'd.cid'))
      .select(['d.uri', 'd.did', 'd.cid', 'd.scope_target as origin', 'd.origin_verified'])
      .where('d.scope_type', '=', 'origin')
      .where('o.uri', 'is', null)
      .where('d.uri', '>', after)
      .orderBy('d.uri')
      .limit(limit)
      .execute() as Promise<OriginDeclaration[]>
  }

  /**
   * Records the outcome of an origin binding check for one declaration version. `verified` null
   * means the check could not conclude (keep the flag). A changed flag is a change: the row is
   * rewritten with an `update` change row carrying the new view. Nothing happens when the stored
   * version is no longer `cid` (the newer one gets its own check).
   */
  async recordOriginCheck(
    uri: string,
    cid: string,
    verified: boolean | null,
    via: string | null,
  ): Promise<ChangeKind | null> {
    return recordOriginCheck(this.kysely, { uri, cid, verified, via })
  }

  async setHandle(did: string, handle: string | null): Promise<void> {
    await this.kysely.updateTable('repo').set({ handle }).where('did', '=', did).execute()
  }

  async declarationsFor(did: string): Promise<Omit<DeclarationTable, 'proof'>[]> {
    return this.kysely
      .selectFrom('declaration')
      .select(DECLARATION_COLUMNS)
      .where('did', '=', did)
      .orderBy('uri')
      .execute()
  }
}
