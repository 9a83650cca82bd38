import type { Kysely } from 'kysely'
import type { DatabaseSchema, DeclarationTable } from './schema.js'

/** A declaration row as the API reads it: everything but the proof bytes. */
export type DeclarationRow = Omit<DeclarationTable, 'proof'>

export interface ChangeRow {
  seq: number
  kind: string
  did: string
  uri: string | null
  cid: string | null
  rev: string | null
  indexed_at: string
  view: string | null
}

/** Every declaration column but the proof bytes (the read side never loads proofs with rows). */
export const DECLARATION_COLUMNS = [
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
] as const

/** Largest IN-list one query carries; batches are split below this (SQLite allows 32766 variables). */
export const MAX_IN_LIST = 1000

/**
 * The API's reads. Each method is one round trip (per MAX_IN_LIST values), parameterised, and
 * bounded by its caller's limit.
 */
export class Queries {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  /** Every current declaration of these accounts (account, collection and record scopes). */
  async declarationsByDid(dids: readonly string[]): Promise<DeclarationRow[]> {
    const out: DeclarationRow[] = []
    for (const chunk of chunks(unique(dids))) {
      const rows = await this.db
        .selectFrom('declaration')
        .select(DECLARATION_COLUMNS)
        .where('did', 'in', chunk)
        .where('scope_type', '!=', 'origin')
        .orderBy('seq')
        .execute()
      out.push(...rows)
    }
    return out
  }

  /** Origin-scope declarations for these origins whose binding is verified. */
  async declarationsByOrigin(origins: readonly string[]): Promise<DeclarationRow[]> {
    const out: DeclarationRow[] = []
    for (const chunk of chunks(unique(origins))) {
      const rows = await this.db
        .selectFrom('declaration')
        .select(DECLARATION_COLUMNS)
        .where('scope_target', 'in', chunk)
        .where('scope_type', '=', 'origin')
        .where('origin_verified', '=', 1)
        .orderBy('seq')
        .execute()
      out.push(...rows)
    }
    return out
  }

  /** Repository status and handle for these accounts (only tracked ones have a row). */
  async repos(dids: readonly string[]): Promise<Map<string, { status: string; handle: string | null }>> {
    const out = new Map<string, { status: string; handle: string | null }>()
    for (const chunk of chunks(unique(dids))) {
      const rows = await this.db
        .selectFrom('repo')
        .select(['did', 'status', 'handle'])
        .where('did', 'in', chunk)
        .execute()
      for (const r of rows) out.set(r.did, { status: r.status, handle: r.handle })
    }
    return out
  }

  /** DIDs the indexer saw for these handles (from #identity events), lower-cased handles. */
  async didsByHandle(handles: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>()
    for (const chunk of chunks(unique(handles))) {
      const rows = await this.db.selectFrom('repo').select(['did', 'handle']).where('handle', 'in', chunk).execute()
      for (const r of rows) if (r.handle) out.set(r.handle, r.did)
    }
    return out
  }

  /** Changes after `after`, in index order, at most `limit`. */
  async changesAfter(after: number, limit: number): Promise<ChangeRow[]> {
    const rows = await this.db
      .selectFrom('change')
      .selectAll()
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(limit)
      .execute()
    return rows.map((r) => ({ ...r, seq: Number(r.seq) }))
  }

  /** One account's changes up to `maxSeq`, in order; at most `limit` (the caller refuses more). */
  async changesForDid(did: string, maxSeq: number, limit: number): Promise<ChangeRow[]> {
    const rows = await this.db
      .selectFrom('change')
      .selectAll()
      .where('did', '=', did)
      .where('seq', '<=', maxSeq)
      .orderBy('seq')
      .limit(limit)
      .execute()
    return rows.map((r) => ({ ...r, seq: Number(r.seq) }))
  }

  /** The newest change's seq, 0 when there is none. */
  async latestSeq(): Promise<number> {
    const row = await this.db
      .selectFrom('change')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirst()
    return row?.seq === null || row?.seq === undefined ? 0 : Number(row.seq)
  }

  async proof(uri: string): Promise<Uint8Array | undefined> {
    const row = await this.db.selectFrom('declaration').select('proof').where('uri', '=', uri).executeTakeFirst()
    return row?.proof
  }

  /**
   * Newest first: #donottrain posts, and record-scope declarations about posts, with seq below
   * `before`. `postUriPrefix` is matched as `at://<did>/<post collection>/` by the caller's filter.
   */
  async recentPostDeclarations(
    before: number,
    limit: number,
    postCollection: string,
  ): Promise<Array<{ uri: string; scope_target: string | null; source: string; seq: number }>> {
    const rows = await this.db
      .selectFrom('declaration')
      .select(['uri', 'scope_target', 'source', 'seq'])
      .where('scope_type', '=', 'record')
      .where('seq', '<', before)
      .where((eb) =>
        eb.or([eb('collection', '=', postCollection), eb('scope_target', 'like', `at://%/${postCollection}/%`)]),
      )
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute()
    return rows.map((r) => ({ ...r, seq: Number(r.seq) }))
  }
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)]
}

function* chunks<T>(values: readonly T[]): Generator<T[]> {
  for (let i = 0; i < values.length; i += MAX_IN_LIST) yield values.slice(i, i + MAX_IN_LIST)
}
