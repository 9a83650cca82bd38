import { encode } from '@atcute/cbor'

/** The fields of one log leaf: a change as the indexer accepted it. */
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

/** A change row (ChangeTable) as leaf fields: the at-uri split into collection and rkey. */
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
