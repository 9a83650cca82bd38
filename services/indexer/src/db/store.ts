import type { Kysely, Transaction } from 'kysely'
import type { Extracted } from '../processors/types.js'
import { toDeclarationView } from '../views.js'
import type { Db } from './db.js'
import type { DatabaseSchema, DeclarationTable, RepoTable } from './schema.js'

type Conn = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>

/** One record-level outcome of a validated commit. */
export interface RecordChange {
  uri: string
  collection: string
  rkey: string
  /** The new version's CID; null when the record was deleted. */
  cid: string | null
  /** The declaration this version makes; null when it makes none (deleted, untagged, invalid). */
  extracted: Extracted | null
  /** Proof CAR slice for the new version (required when extracted is set). */
  proof: Uint8Array | null
  originVerified?: boolean
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

export type ChangeKind = 'create' | 'update' | 'delete' | 'hide' | 'restore' | 'purge'

export type AccountStatus = 'active' | 'deactivated' | 'takendown' | 'suspended' | 'deleted' | 'desynchronized'

/** All reads and writes of the indexer's store. Every write runs in one transaction. */
export class Store {
  constructor(readonly db: Db) {}

  get kysely(): Kysely<DatabaseSchema> {
    return this.db.kysely
  }

  async trackedDids(): Promise<Set<string>> {
    const rows = await this.kysely.selectFrom('repo').select('did').execute()
    return new Set(rows.map((r) => r.did))
  }

  async getRepo(did: string): Promise<RepoTable | undefined> {
    return this.kysely.selectFrom('repo').selectAll().where('did', '=', did).executeTakeFirst()
  }

  async getCursor(source: string): Promise<number | undefined> {
    const row = await this.kysely.selectFrom('cursor').select('seq').where('source', '=', source).executeTakeFirst()
    return row?.seq
  }

  async saveCursor(source: string, seq: number, conn: Conn = this.kysely): Promise<void> {
    const updated_at = new Date().toISOString()
    await conn
      .insertInto('cursor')
      .values({ source, seq, updated_at })
      .onConflict((oc) => oc.column('source').doUpdateSet({ seq, updated_at }))
      .execute()
  }

  /**
   * Applies a validated commit: declarations upserted or deleted by URI, a change row per
   * effective change, the repository state, and the firehose cursor — in one transaction, so a
   * crash leaves either all of it or none. Re-applying the same commit changes nothing.
   */
  async applyCommit(write: CommitWrite, cursor?: { source: string; seq: number }): Promise<ChangeKind[]> {
    return this.kysely.transaction().execute(async (tx) => {
      const kinds: ChangeKind[] = []
      const now = new Date().toISOString()
      for (const change of write.changes) {
        const existing = await tx
          .selectFrom('declaration')
          .select(['cid', 'rev'])
          .where('uri', '=', change.uri)
          .executeTakeFirst()
        if (change.extracted && change.cid && change.proof) {
          if (existing?.cid === change.cid) continue // same version again: idempotent
          const row = toRow(write, change, now)
          const kind: ChangeKind = existing ? 'update' : 'create'
          const seq = await insertChange(tx, {
            kind,
            did: write.did,
            uri: change.uri,
            cid: change.cid,
            rev: write.rev,
            indexed_at: now,
            view: JSON.stringify(toDeclarationView(row)),
          })
          await tx
            .insertInto('declaration')
            .values({ ...row, proof: change.proof, seq })
            .onConflict((oc) => oc.column('uri').doUpdateSet({ ...row, proof: change.proof as Uint8Array, seq }))
            .execute()
          kinds.push(kind)
        } else if (existing) {
          await insertChange(tx, {
            kind: 'delete',
            did: write.did,
            uri: change.uri,
            cid: null,
            rev: write.rev,
            indexed_at: now,
            view: null,
          })
          await tx.deleteFrom('declaration').where('uri', '=', change.uri).execute()
          kinds.push('delete')
        }
      }
      if (write.track) {
        const repo = { rev: write.rev, data_cid: write.dataCid, commit_cid: write.commitCid, updated_at: now }
        await tx
          .insertInto('repo')
          .values({ did: write.did, status: 'active', handle: null, ...repo })
          .onConflict((oc) => oc.column('did').doUpdateSet(repo))
          .execute()
      }
      if (cursor) await this.saveCursor(cursor.source, cursor.seq, tx)
      return kinds
    })
  }

  /**
   * Records an account status change. Inactive accounts' declarations are hidden (kept, not
   * served); reactivation restores them; deletion purges them. A change row marks each.
   */
  async setAccountStatus(
    did: string,
    status: AccountStatus,
    cursor?: { source: string; seq: number },
  ): Promise<ChangeKind | null> {
    return this.kysely.transaction().execute(async (tx) => {
      const repo = await tx.selectFrom('repo').select(['status']).where('did', '=', did).executeTakeFirst()
      const now = new Date().toISOString()
      let kind: ChangeKind | null = null
      if (repo) {
        const wasActive = repo.status === 'active' || repo.status === 'desynchronized'
        if (status === 'deleted') {
          await tx.deleteFrom('declaration').where('did', '=', did).execute()
          await tx.deleteFrom('repo').where('did', '=', did).execute()
          kind = 'purge'
        } else {
          const isActive = status === 'active' || status === 'desynchronized'
          if (wasActive && !isActive) kind = 'hide'
          if (!wasActive && isActive) kind = 'restore'
          if (repo.status !== status) {
            await tx.updateTable('repo').set({ status, updated_at: now }).where('did', '=', did).execute()
          }
        }
        if (kind) await insertChange(tx, { kind, did, uri: null, cid: null, rev: null, indexed_at: now, view: null })
      }
      if (cursor) await this.saveCursor(cursor.source, cursor.seq, tx)
      return kind
    })
  }

  async setHandle(did: string, handle: string | null): Promise<void> {
    await this.kysely.updateTable('repo').set({ handle }).where('did', '=', did).execute()
  }

  async declarationsFor(did: string): Promise<Omit<DeclarationTable, 'proof'>[]> {
    return this.kysely
      .selectFrom('declaration')
      .select([
        'uri',
        'did',
        'collection',
        'rkey',
        'cid',
        'rev',
        'source',
        'scope_type',
        'scope_target',
        'scope_cid',
        'preferences',
        'statement',
        'license_uri',
        'created_at',
        'origin_verified',
        'indexed_at',
        'seq',
      ])
      .where('did', '=', did)
      .orderBy('uri')
      .execute()
  }
}

async function insertChange(
  tx: Transaction<DatabaseSchema>,
  values: {
    kind: ChangeKind
    did: string
    uri: string | null
    cid: string | null
    rev: string | null
    indexed_at: string
    view: string | null
  },
): Promise<number> {
  const row = await tx.insertInto('change').values(values).returning('seq').executeTakeFirstOrThrow()
  return Number(row.seq)
}

function toRow(write: CommitWrite, change: RecordChange, now: string): Omit<DeclarationTable, 'proof' | 'seq'> {
  const ex = change.extracted as Extracted
  const scope = ex.scope
  return {
    uri: change.uri,
    did: write.did,
    collection: change.collection,
    rkey: change.rkey,
    cid: change.cid as string,
    rev: write.rev,
    source: ex.source,
    scope_type: scope.type,
    scope_target:
      scope.type === 'collection'
        ? scope.collection
        : scope.type === 'record'
          ? scope.uri
          : scope.type === 'origin'
            ? scope.origin
            : null,
    scope_cid: scope.type === 'record' ? (scope.cid ?? null) : null,
    preferences: JSON.stringify(ex.preferences),
    statement: ex.statement ?? null,
    license_uri: ex.licenseUri ?? null,
    created_at: ex.createdAt ?? null,
    origin_verified: change.originVerified ? 1 : 0,
    indexed_at: now,
  }
}
