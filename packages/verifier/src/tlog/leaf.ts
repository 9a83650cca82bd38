import { decode, encode } from '@atcute/cbor'
import { fail, ok, type Result, TlogError } from './result.js'

/**
 * The canonical leaf of the indexer's transparency log: one accepted change. This is the one
 * copy of the encoding; the indexer writes leaves with it and monitors recompute them with it.
 */
export interface LeafFields {
  seq: number
  did: string
  collection: string | null
  rkey: string | null
  cid: string | null
  rev: string | null
  kind: string
  indexedAt: string
}

/** Largest leaf accepted by decodeLeaf (a change is a few hundred bytes). */
export const MAX_LEAF_BYTES = 4096

export class LeafError extends TlogError<'malformed-leaf'> {
  override name = 'LeafError'
}

/** A change row (the indexer's change table, or a declarationChange view) as leaf fields: the at-uri split. */
export function leafFields(row: {
  seq: number
  kind: string
  did: string
  uri: string | null
  cid: string | null
  rev: string | null
  indexed_at: string
}): LeafFields {
  let collection: string | null = null
  let rkey: string | null = null
  if (row.uri) {
    const [, , , c, r] = row.uri.split('/')
    collection = c ?? null
    rkey = r ?? null
  }
  return {
    seq: row.seq,
    did: row.did,
    collection,
    rkey,
    cid: row.cid,
    rev: row.rev,
    kind: row.kind,
    indexedAt: row.indexed_at,
  }
}

/**
 * The leaf bytes: canonical DAG-CBOR (map keys sorted length-first, then bytewise, as DAG-CBOR
 * requires) of every field, absent ones as null, so anyone can re-encode a leaf from its fields.
 */
export function encodeLeaf(f: LeafFields): Uint8Array {
  return encode({
    seq: f.seq,
    did: f.did,
    collection: f.collection,
    rkey: f.rkey,
    cid: f.cid,
    rev: f.rev,
    kind: f.kind,
    indexedAt: f.indexedAt,
  })
}

const nullableString = (v: unknown): v is string | null => v === null || typeof v === 'string'

/** Decodes leaf bytes, strictly: exactly the leaf fields, and bytes that re-encode identically. */
export function decodeLeaf(bytes: Uint8Array): Result<LeafFields, LeafError> {
  if (bytes.length > MAX_LEAF_BYTES) {
    return fail(new LeafError('malformed-leaf', `leaf too large bytes=${bytes.length} max=${MAX_LEAF_BYTES}`))
  }
  let value: unknown
  try {
    value = decode(bytes)
  } catch (cause) {
    return fail(new LeafError('malformed-leaf', 'leaf is not dag-cbor', { cause }))
  }
  const v = value as Record<string, unknown>
  if (
    typeof v !== 'object' ||
    v === null ||
    Object.keys(v).length !== 8 ||
    !Number.isSafeInteger(v.seq) ||
    typeof v.did !== 'string' ||
    typeof v.kind !== 'string' ||
    typeof v.indexedAt !== 'string' ||
    !nullableString(v.collection) ||
    !nullableString(v.rkey) ||
    !nullableString(v.cid) ||
    !nullableString(v.rev)
  ) {
    return fail(new LeafError('malformed-leaf', 'leaf does not hold exactly the leaf fields'))
  }
  const fields = v as unknown as LeafFields
  const again = encodeLeaf(fields)
  if (again.length !== bytes.length || again.some((b, i) => b !== bytes[i])) {
    return fail(new LeafError('malformed-leaf', `leaf is not canonical seq=${fields.seq}`))
  }
  return ok(fields)
}
