import type { Db } from './db.js'
import { type ChangeKind, deleteDeclaration, type RecordChange, type Tx, writeRecord } from './record-write.js'

/** A verified snapshot of (part of) a repository at one signed commit, to reconcile the store with. */
export interface SnapshotWrite {
  did: string
  rev: string
  dataCid: string
  commitCid: string
  /** Every record of the covered part that makes a declaration (extracted and proof set). */
  records: RecordChange[]
  /**
   * What the snapshot proves complete: stored declarations in these collections, or at these
   * URIs, that are not among `records` no longer exist (or no longer declare) and are deleted.
   */
  covered: { collections: readonly string[]; uris: readonly string[] }
  /** Leave (or mark) the repository desynchronized and keep (or add) its resync request: another resync follows. */
  keepDesynchronized?: boolean
  /** The repository must still be tracked (a resync): write nothing if it was purged meanwhile. */
  requireTracked?: boolean
}

/**
 * applied: written (kinds lists the changes; may be none); stale: the store is already past
 * this rev; gone: the repository was purged meanwhile; empty: an untracked repository with
 * nothing to declare (not tracked).
 */
export type SnapshotOutcome = 'applied' | 'stale' | 'gone' | 'empty'

export interface SnapshotResult {
  outcome: SnapshotOutcome
  kinds: ChangeKind[]
  /** The repository is tracked after the write. */
  tracked: boolean
}

const PAGE = 1000

/**
 * Reconciles the store with a snapshot in one transaction: declarations upserted (a change row
 * per new version), covered ones not in the snapshot deleted (a `delete` change row each, so
 * the feed shows them), the repository's rev / data / commit and resync rev set, its status
 * back from `desynchronized` to `active`, and its resync request removed.
 */
export async function applySnapshot(db: Db, write: SnapshotWrite): Promise<SnapshotResult> {
  return db.kysely.transaction().execute(async (tx) => {
    let query = tx.selectFrom('repo').select(['rev', 'status']).where('did', '=', write.did)
    if (db.dialect === 'postgres') query = query.forUpdate()
    const repo = await query.executeTakeFirst()
    if (!repo && write.requireTracked) return { outcome: 'gone', kinds: [], tracked: false }
    if (repo && repo.rev > write.rev) return { outcome: 'stale', kinds: [], tracked: true }
    if (!repo && write.records.length === 0) {
      if (!write.keepDesynchronized) await tx.deleteFrom('resync_request').where('did', '=', write.did).execute()
      return { outcome: 'empty', kinds: [], tracked: false }
    }

    const now = new Date().toISOString()
    const kinds: ChangeKind[] = []
    const present = new Set<string>()
    for (const record of write.records) {
      present.add(record.uri)
      const kind = await writeRecord(tx, write, record, now)
      if (kind) kinds.push(kind)
    }
    for (const uri of await staleUris(tx, write, present)) {
      await deleteDeclaration(tx, write, uri, now)
      kinds.push('delete')
    }

    const state = { rev: write.rev, data_cid: write.dataCid, commit_cid: write.commitCid, resync_rev: write.rev }
    if (repo) {
      const status = write.keepDesynchronized
        ? repo.status === 'active'
          ? 'desynchronized'
          : repo.status
        : repo.status === 'desynchronized'
          ? 'active'
          : repo.status
      await tx
        .updateTable('repo')
        .set({ ...state, status, updated_at: now })
        .where('did', '=', write.did)
        .execute()
    } else {
      const status = write.keepDesynchronized ? 'desynchronized' : 'active'
      await tx
        .insertInto('repo')
        .values({ did: write.did, ...state, status, handle: null, updated_at: now })
        .execute()
    }
    if (write.keepDesynchronized) {
      await tx
        .insertInto('resync_request')
        .values({ did: write.did, reason: 'again', requested_at: now, attempts: 0 })
        .onConflict((oc) => oc.column('did').doNothing())
        .execute()
    } else {
      await tx.deleteFrom('resync_request').where('did', '=', write.did).execute()
    }
    return { outcome: 'applied', kinds, tracked: true }
  })
}

/** Stored declarations of the account that the snapshot covers but does not hold. */
async function staleUris(tx: Tx, write: SnapshotWrite, present: Set<string>): Promise<string[]> {
  const collections = new Set(write.covered.collections)
  const uris = new Set(write.covered.uris)
  const out: string[] = []
  let after = ''
  for (;;) {
    const rows = await tx
      .selectFrom('declaration')
      .select(['uri', 'collection'])
      .where('did', '=', write.did)
      .where('uri', '>', after)
      .orderBy('uri')
      .limit(PAGE)
      .execute()
    for (const row of rows) {
      if (present.has(row.uri)) continue
      if (collections.has(row.collection) || uris.has(row.uri)) out.push(row.uri)
    }
    if (rows.length < PAGE) return out
    after = (rows.at(-1) as { uri: string }).uri
  }
}
