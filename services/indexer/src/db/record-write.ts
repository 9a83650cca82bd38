import type { Kysely, Transaction } from 'kysely'
import type { Extracted } from '../processors/types.js'
import { logChange } from '../tlog/append.js'
import { toDeclarationView } from '../views.js'
import { PreparedQuery } from './prepared.js'
import type { DatabaseSchema, DeclarationTable } from './schema.js'

export type Tx = Transaction<DatabaseSchema>

const selectExisting = new PreparedQuery(1, (tx: Kysely<DatabaseSchema>, uri: string) =>
  tx.selectFrom('declaration').select(['cid', 'scope_type', 'scope_target', 'origin_verified']).where('uri', '=', uri),
)

const insertChangeRow = new PreparedQuery(
  7,
  (
    tx: Kysely<DatabaseSchema>,
    kind: string,
    did: string,
    uri: string | null,
    cid: string | null,
    rev: string | null,
    indexed_at: string,
    view: string | null,
  ) => tx.insertInto('change').values({ kind, did, uri, cid, rev, indexed_at, view }).returning('seq'),
)

export type ChangeKind = 'create' | 'update' | 'delete' | 'hide' | 'restore' | 'purge'

/** One record-level outcome of a validated commit or snapshot. */
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
  /** An origin scope's binding; unset keeps the stored flag when the origin is unchanged, else unverified. */
  originVerified?: boolean
}

/**
 * Writes one record's new state inside a transaction: upsert when it makes a declaration (a
 * change row `create`/`update`), delete when it no longer does (a change row `delete`); nothing
 * when the stored version is already this one. Returns the change kind written, if any.
 */
export async function writeRecord(
  tx: Tx,
  repo: { did: string; rev: string },
  change: RecordChange,
  now: string,
): Promise<ChangeKind | null> {
  const existing = await selectExisting.first(tx, change.uri)
  if (change.extracted && change.cid && change.proof) {
    if (existing?.cid === change.cid) return null // same version again: idempotent
    const row = toRow(repo, change, now)
    // A new version of a declaration for the same origin keeps its binding until it is checked again.
    if (
      change.originVerified === undefined &&
      row.scope_type === 'origin' &&
      existing?.scope_type === 'origin' &&
      existing.scope_target === row.scope_target
    ) {
      row.origin_verified = existing.origin_verified
    }
    const kind: ChangeKind = existing ? 'update' : 'create'
    const seq = await insertChange(tx, {
      kind,
      did: repo.did,
      uri: change.uri,
      cid: change.cid,
      rev: repo.rev,
      indexed_at: now,
      view: JSON.stringify(toDeclarationView(row)),
    })
    const proof = change.proof
    await tx
      .insertInto('declaration')
      .values({ ...row, proof, seq })
      .onConflict((oc) => oc.column('uri').doUpdateSet({ ...row, proof, seq }))
      .execute()
    return kind
  }
  if (!existing) return null
  await deleteDeclaration(tx, repo, change.uri, now)
  return 'delete'
}

/** Deletes a stored declaration, with its `delete` change row. */
export async function deleteDeclaration(
  tx: Tx,
  repo: { did: string; rev: string | null },
  uri: string,
  now: string,
): Promise<void> {
  await insertChange(tx, { kind: 'delete', did: repo.did, uri, cid: null, rev: repo.rev, indexed_at: now, view: null })
  await tx.deleteFrom('declaration').where('uri', '=', uri).execute()
  await tx.deleteFrom('origin_check').where('uri', '=', uri).execute()
}

export async function insertChange(
  tx: Tx,
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
  const { kind, did, uri, cid, rev, indexed_at, view } = values
  const row = await insertChangeRow.first(tx, kind, did, uri, cid, rev, indexed_at, view)
  if (!row) throw new Error(`change row not written did=${did}`)
  const seq = Number(row.seq)
  // Every accepted change is a leaf of the transparency log, committed with it.
  await logChange(tx, { seq, ...values })
  return seq
}

export function toRow(
  repo: { did: string; rev: string },
  change: RecordChange,
  now: string,
): Omit<DeclarationTable, 'proof' | 'seq'> {
  const ex = change.extracted as Extracted
  const scope = ex.scope
  return {
    uri: change.uri,
    did: repo.did,
    collection: change.collection,
    rkey: change.rkey,
    cid: change.cid as string,
    rev: repo.rev,
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
