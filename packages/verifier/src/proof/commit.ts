import { BytesWrapper, CidLinkWrapper, decode as decodeCbor, encode as encodeCbor } from '@atcute/cbor'
import { isValidDid, isValidTid } from '@atproto/syntax'
import { type ParsedKey, verifySignature } from '../crypto/index.js'
import { CODEC_DAG_CBOR, cidFromString, cidToString, isCidBytes } from '../mst/index.js'
import { ok, type Result } from '../mst/result.js'
import { type ProofError, proofError } from './errors.js'
import type { Commit } from './types.js'

const COMMIT_FIELDS = ['data', 'did', 'prev', 'rev', 'sig', 'version']
const malformed = (message: string, cause?: unknown) => proofError('MalformedCommit', message, cause)

const isLink = (value: unknown): value is CidLinkWrapper =>
  value instanceof CidLinkWrapper && isCidBytes(value.bytes, CODEC_DAG_CBOR)

/**
 * Decodes a v3 repository commit strictly: canonical DAG-CBOR, exactly the fields did, version
 * (3), data (a DAG-CBOR CID), rev (a TID), prev (a CID or null, always present) and sig (bytes).
 */
export function decodeCommit(bytes: Uint8Array): Result<Commit, ProofError> {
  let value: unknown
  try {
    value = decodeCbor(bytes)
  } catch (cause) {
    return malformed('commit is not canonical dag-cbor', cause)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return malformed('commit is not a map')
  const keys = Object.keys(value).sort()
  if (keys.length !== COMMIT_FIELDS.length || keys.some((key, i) => key !== COMMIT_FIELDS[i])) {
    return malformed(`commit must have exactly the v3 fields fields=${keys.join(',')}`)
  }
  const { did, version, data, rev, prev, sig } = value as Record<string, unknown>
  if (version !== 3) return malformed(`commit version must be 3 version=${String(version)}`)
  if (typeof did !== 'string' || !isValidDid(did)) return malformed('commit did is not a valid did')
  if (typeof rev !== 'string' || !isValidTid(rev)) return malformed('commit rev is not a tid')
  if (!isLink(data)) return malformed('commit data is not a dag-cbor cid link')
  if (prev !== null && !isLink(prev)) return malformed('commit prev is neither null nor a dag-cbor cid link')
  if (!(sig instanceof BytesWrapper)) return malformed('commit sig is not bytes')
  return ok({
    did,
    version: 3,
    data: cidToString(data.bytes),
    rev,
    prev: prev === null ? null : cidToString(prev.bytes),
    sig: sig.buf,
  })
}

const link = (cid: string): CidLinkWrapper => {
  const bytes = cidFromString(cid)
  if (bytes === undefined) throw new TypeError(`not a cid string cid=${cid}`)
  return new CidLinkWrapper(bytes)
}

/** The DAG-CBOR bytes a commit's signature covers: the commit without `sig`. */
export function unsignedCommitBytes(commit: Commit): Uint8Array {
  return encodeCbor({
    did: commit.did,
    version: commit.version,
    data: link(commit.data),
    rev: commit.rev,
    prev: commit.prev === null ? null : link(commit.prev),
  })
}

/** True when the commit's signature verifies with key (ECDSA over SHA-256, low-S, compact). */
export function verifyCommitSignature(commit: Commit, key: ParsedKey): boolean {
  return verifySignature(key, unsignedCommitBytes(commit), commit.sig)
}
