import type { ParsedKey } from '../crypto/index.js'
import type { Result } from '../mst/result.js'

/**
 * Resolves the current atproto signing key of a DID (the `#atproto` verification method of its
 * DID document). `forceRefresh` bypasses any cache, after a signature failed with the cached key.
 */
export interface KeyResolver {
  resolveAtprotoKey(did: string, opts?: { forceRefresh?: boolean }): Promise<Result<ParsedKey, Error>>
}

/** Caps for reading a CAR: total bytes and number of blocks. */
export type CarLimits = { maxBytes?: number; maxBlocks?: number }

/** A CAR file read into memory: its single root and its blocks by CID string. */
export type Car = { root: string; blocks: Map<string, Uint8Array> }

/** A v3 repository commit; CIDs as strings. */
export type Commit = {
  did: string
  version: 3
  /** The MST root CID. */
  data: string
  /** The revision, a TID. */
  rev: string
  prev: string | null
  sig: Uint8Array
}

/** The verified commit a proof rests on; `time` is the time its rev (a TID) encodes, ISO 8601. */
export type VerifiedCommit = {
  cid: string
  did: string
  rev: string
  time: string | undefined
  data: string
  prev: string | null
}

export type VerifyProofOptions = {
  did: string
  collection: string
  rkey: string
  /** The account's signing key. When given, it alone is tried (the resolver is not asked). */
  key?: ParsedKey
  /** Asked for the key when `key` is absent; asked again with forceRefresh if it fails. */
  resolver?: KeyResolver
  /** CAR caps; default DEFAULT_CAR_LIMITS (2 MiB, 10,000 blocks). */
  limits?: CarLimits
}

/** What a record (inclusion) proof establishes. */
export type RecordProof = {
  did: string
  collection: string
  rkey: string
  uri: string
  /** The record, decoded from DAG-CBOR (links as CidLinkWrapper, bytes as BytesWrapper). */
  record: Record<string, unknown>
  recordCid: string
  commit: VerifiedCommit
  /** The key the signature verified with. */
  signingKey: ParsedKey
}

/** What an absence proof establishes: no record at the key in this signed commit. */
export type AbsenceProof = {
  did: string
  collection: string
  rkey: string
  uri: string
  commit: VerifiedCommit
  signingKey: ParsedKey
}
