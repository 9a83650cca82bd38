import {
  ensureValidAtUri,
  ensureValidDid,
  ensureValidHandle,
  isValidNsid,
  isValidTid,
  isValidUri,
} from '@atproto/syntax'
import { ids, SCOPE_TYPES } from '@donottrain/lexicon'

/**
 * A fast check of ai.donottrain.defs#statusView (getStatus's output), stricter than the lexicon:
 * whatever it accepts, @atproto/lexicon accepts too (status-view-check.test.ts checks this on
 * generated answers), so a caller that falls back to the lexicon when it says no answers exactly
 * as the lexicon would. The formats are checked with the functions @atproto/lexicon itself calls
 * (@atproto/syntax), except cid and datetime, which accept only the shapes this indexer writes
 * (CIDv1 dag-cbor sha-256; `Date#toISOString`) and leave anything else to the lexicon.
 */
export function isStatusView(v: unknown): boolean {
  if (!isObject(v)) return false
  if (!subjectView(v.subject) || !verdict(v.verdict) || !renderings(v.renderings)) return false
  if (!array(v.declarations, 1000, declarationView)) return false
  if (v.accountActive !== undefined && typeof v.accountActive !== 'boolean') return false
  if (v.checkpoint !== undefined && !checkpointView(v.checkpoint)) return false
  if (v.inclusions !== undefined && !array(v.inclusions, 1000, inclusionProof)) return false
  if (v.at !== undefined && !datetime(v.at)) return false
  return true
}

/** A UTF-16 surrogate without its pair (such a string has no single UTF-8 length). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

type Obj = Record<string, unknown>

const RECORD_TARGET = `${ids.AiDonottrainDefs}#recordTarget`

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function array(v: unknown, max: number, item: (x: unknown) => boolean): boolean {
  if (!Array.isArray(v) || v.length > max) return false
  for (const x of v) if (!item(x)) return false
  return true
}

/** A string within `maxBytes` of UTF-8 (well-formed, so its UTF-8 length is unambiguous). */
function string(v: unknown, maxBytes?: number): v is string {
  if (typeof v !== 'string') return false
  if (maxBytes === undefined || v.length * 3 <= maxBytes) return true
  return !LONE_SURROGATE.test(v) && Buffer.byteLength(v, 'utf8') <= maxBytes
}

function optional(v: unknown, check: (x: unknown) => boolean): boolean {
  return v === undefined || check(v)
}

function integer(v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): boolean {
  return Number.isInteger(v) && (v as number) >= min && (v as number) <= max
}

function throwsNot(check: (s: string) => void, v: unknown): boolean {
  if (typeof v !== 'string') return false
  try {
    check(v)
    return true
  } catch {
    return false
  }
}

const did = (v: unknown) => throwsNot(ensureValidDid, v)
const atUri = (v: unknown) => throwsNot(ensureValidAtUri, v)
const handle = (v: unknown) => throwsNot(ensureValidHandle, v)
const nsid = (v: unknown) => typeof v === 'string' && isValidNsid(v)
const uri = (v: unknown) => typeof v === 'string' && isValidUri(v)
const tid = (v: unknown) => typeof v === 'string' && isValidTid(v)

// CIDv1, dag-cbor, sha2-256, base32: 59 characters. 'bafyrei' and the next character's top two
// bits (zero) spell the prefix 01 71 12 20; the last character's two low (padding) bits are zero.
const CID_DAG_CBOR = /^bafyrei[a-h][a-z2-7]{50}[aeimquy4]$/
const cid = (v: unknown) => typeof v === 'string' && CID_DAG_CBOR.test(v)

// Exactly what Date#toISOString writes for years 1000–9999, and a real calendar instant.
const ISO_UTC = /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
function datetime(v: unknown): boolean {
  if (typeof v !== 'string' || !ISO_UTC.test(v)) return false
  const t = Date.parse(v)
  return !Number.isNaN(t) && new Date(t).toISOString() === v
}

function subjectView(v: unknown): boolean {
  return (
    isObject(v) &&
    string(v.input, 8192) &&
    string(v.kind) &&
    optional(v.did, did) &&
    optional(v.handle, handle) &&
    optional(v.uri, atUri) &&
    optional(v.collection, nsid) &&
    optional(v.origin, uri)
  )
}

function verdict(v: unknown): boolean {
  return isObject(v) && string(v.trainAi) && string(v.trainGenai) && string(v.aiInput) && string(v.search)
}

function renderings(v: unknown): boolean {
  return (
    isObject(v) &&
    string(v.contentUsage) &&
    string(v.contentSignal) &&
    integer(v.tdmReservation, 0, 1) &&
    string(v.robots)
  )
}

const preference = (x: unknown) => string(x, 32)

function preferences(v: unknown): boolean {
  return (
    isObject(v) &&
    optional(v.trainAi, preference) &&
    optional(v.trainGenai, preference) &&
    optional(v.aiInput, preference) &&
    optional(v.search, preference)
  )
}

/** The scope union: only the four known members (an unknown $type is left to the lexicon). */
function scope(v: unknown): boolean {
  if (!isObject(v)) return false
  switch (v.$type) {
    case SCOPE_TYPES.account:
      return true
    case SCOPE_TYPES.collection:
      return nsid(v.collection)
    case RECORD_TARGET:
      return atUri(v.uri) && optional(v.cid, cid)
    case SCOPE_TYPES.origin:
      return string(v.origin, 2048) && uri(v.origin)
    default:
      return false
  }
}

// maxGraphemes 300: a string of at most 300 UTF-16 units has at most 300 graphemes.
const statement = (x: unknown) => typeof x === 'string' && x.length <= 300

function declarationView(v: unknown): boolean {
  return (
    isObject(v) &&
    atUri(v.uri) &&
    cid(v.cid) &&
    did(v.did) &&
    string(v.source) &&
    scope(v.scope) &&
    preferences(v.preferences) &&
    optional(v.originVerified, (x) => typeof x === 'boolean') &&
    optional(v.statement, statement) &&
    optional(v.licenseUri, uri) &&
    tid(v.rev) &&
    optional(v.createdAt, datetime) &&
    datetime(v.indexedAt) &&
    optional(v.leafIndex, (x) => integer(x, 0)) &&
    optional(v.logIndex, (x) => integer(x, 0))
  )
}

function checkpointView(v: unknown): boolean {
  return (
    isObject(v) &&
    string(v.origin, 256) &&
    integer(v.size, 0) &&
    string(v.rootHash, 64) &&
    string(v.note, 8192) &&
    string(v.verifierKey, 512) &&
    datetime(v.createdAt)
  )
}

function inclusionProof(v: unknown): boolean {
  return (
    isObject(v) &&
    integer(v.leafIndex, 0) &&
    integer(v.treeSize, 1) &&
    string(v.leafHash, 64) &&
    array(v.hashes, 64, (h) => string(h, 64))
  )
}
