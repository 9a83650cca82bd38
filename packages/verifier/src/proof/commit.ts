import { BytesWrapper, CidLinkWrapper, decode as decodeCbor, encode as encodeCbor } from '@atcute/cbor'
import { isValidDid, isValidTid } from '@atproto/syntax'
import { type ParsedKey, verifySignature } from '../crypto/index.js'
import { CODEC_DAG_CBOR, cidFromString, cidToString, isCidBytes } from '../mst/index.js'
import { ok, type Result } from '../mst/result.js'
import { readCommitLayout, spliceOutSig } from './commit-layout.js'
import { type ProofError, proofError } from './errors.js'
import type { Commit } from './types.js'

const COMMIT_FIELDS = ['data', 'did', 'prev', 'rev', 'sig', 'version']
const malformed = (message: string, cause?: unknown) => proofError('MalformedCommit', message, cause)

const isLink = (value: unknown): value is CidLinkWrapper =>
  value instanceof CidLinkWrapper && isCidBytes(value.bytes, CODEC_DAG_CBOR)

/** What the signature of a commit decoded from its canonical layout covers, and the fields it encodes. */
type Signed = {
  bytes: Uint8Array
  sigStart: number
  sigEnd: number
  did: string
  rev: string
  data: string
  prev: string | null
}

// Commits decoded from their canonical layout, mapped to their own bytes: their unsigned bytes
// are then spliced out of those (see unsignedCommitBytes) instead of encoded again.
const signedBytes = new WeakMap<Commit, Signed>()

type Fields = { did: unknown; version: unknown; data: unknown; rev: unknown; prev: unknown; sig: unknown }

/** The checks on field values, in one order for both decoders (so both fail alike). */
function checkFields(fields: Fields): Result<Commit, ProofError> {
  const { did, version, data, rev, prev, sig } = fields
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

/** Decodes with the general DAG-CBOR decoder; the commit must also be in canonical form. */
function decodeGeneral(bytes: Uint8Array): Result<Commit, ProofError> {
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
  const commit = checkFields(value as Fields)
  if (!commit.ok) return commit
  // The signature covers the canonical encoding, and the CID hashes these bytes: both must agree
  if (!bytesEqual(encodeCbor(value), bytes)) return malformed('commit is not canonical dag-cbor (encoded otherwise)')
  return commit
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * Decodes a v3 repository commit strictly: canonical DAG-CBOR, exactly the fields did, version
 * (3), data (a DAG-CBOR CID), rev (a TID), prev (a CID or null, always present) and sig (bytes).
 * A commit in the canonical layout is read byte by byte; anything else goes to the general
 * decoder, which must then find it canonical too.
 */
export function decodeCommit(bytes: Uint8Array): Result<Commit, ProofError> {
  const layout = readCommitLayout(bytes)
  if (layout === undefined) return decodeGeneral(bytes)
  const { data, prev, sig, sigStart, sigEnd } = layout
  const commit = checkFields({
    did: layout.did,
    version: layout.version,
    rev: layout.rev,
    data: new CidLinkWrapper(data),
    prev: prev === null ? null : new CidLinkWrapper(prev),
    sig: new BytesWrapper(sig),
  })
  if (!commit.ok) return commit
  const { did, rev, data: dataCid, prev: prevCid } = commit.value
  signedBytes.set(commit.value, { bytes, sigStart, sigEnd, did, rev, data: dataCid, prev: prevCid })
  return commit
}

const link = (cid: string): CidLinkWrapper => {
  const bytes = cidFromString(cid)
  if (bytes === undefined) throw new TypeError(`not a cid string cid=${cid}`)
  return new CidLinkWrapper(bytes)
}

/**
 * The DAG-CBOR bytes a commit's signature covers: the commit without `sig`. For a commit from
 * decodeCommit whose fields are unchanged, they are its bytes with the `sig` entry cut out.
 */
export function unsignedCommitBytes(commit: Commit): Uint8Array {
  const signed = signedBytes.get(commit)
  if (
    signed !== undefined &&
    commit.version === 3 &&
    signed.did === commit.did &&
    signed.rev === commit.rev &&
    signed.data === commit.data &&
    signed.prev === commit.prev
  ) {
    return spliceOutSig(signed.bytes, signed.sigStart, signed.sigEnd)
  }
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
