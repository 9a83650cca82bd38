import {
  err,
  isValidDid,
  ok,
  type Preferences,
  type Result,
  type Scope,
  type ScopedDeclaration,
} from '@donottrain/lexicon'
import { SnapshotError } from './errors.js'

/** One current declaration as a snapshot holds it: the verdict model's fields and where it came from. */
export interface SnapshotDeclaration extends ScopedDeclaration {
  uri: string
  did: string
  cid: string
  rev: string
  /** declaration | postTag | profileTag | userIntents | preferenceAi */
  source: string
  scope: Scope
  preferences: Preferences
  statement?: string
  licenseUri?: string
  createdAt?: string
  indexedAt: string
  /** The change (declarations feed seq) that wrote this version. */
  seq: number
  /** The transparency-log leaf of that change. */
  logIndex?: number
}

/** Longest data line accepted (a declaration with a 3,000-byte statement is well under it). */
export const MAX_SNAPSHOT_LINE = 16 * 1024

/** One data line (without its newline): JSON with a fixed key order, optional fields left out. */
export function formatSnapshotLine(d: SnapshotDeclaration): string {
  return JSON.stringify({
    uri: d.uri,
    did: d.did,
    cid: d.cid,
    rev: d.rev,
    source: d.source,
    scope: d.scope,
    preferences: d.preferences,
    statement: d.statement,
    licenseUri: d.licenseUri,
    createdAt: d.createdAt,
    indexedAt: d.indexedAt,
    seq: d.seq,
    logIndex: d.logIndex,
  })
}

const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 8192
const optStr = (v: unknown) => v === undefined || str(v)
const count = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0

function readScope(v: unknown): Scope | undefined {
  if (typeof v !== 'object' || v === null) return undefined
  const s = v as Record<string, unknown>
  switch (s.type) {
    case 'account':
      return { type: 'account' }
    case 'collection':
      return str(s.collection) ? { type: 'collection', collection: s.collection } : undefined
    case 'record':
      if (!str(s.uri) || !optStr(s.cid)) return undefined
      return s.cid === undefined ? { type: 'record', uri: s.uri } : { type: 'record', uri: s.uri, cid: s.cid as string }
    case 'origin':
      return str(s.origin) && typeof s.verified === 'boolean'
        ? { type: 'origin', origin: s.origin, verified: s.verified }
        : undefined
    default:
      return undefined
  }
}

function readPreferences(v: unknown): Preferences | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined
  const entries = Object.entries(v)
  if (entries.length > 16 || entries.some(([, p]) => typeof p !== 'string' || p.length > 32)) return undefined
  return v as Preferences
}

/** Parses one data line, checking every field's type and that the uri is the DID's. */
export function parseSnapshotLine(line: string, lineNo: number): Result<SnapshotDeclaration, SnapshotError> {
  const bad = (why: string) => err(new SnapshotError('data-malformed', `${why} line=${lineNo}`))
  let v: Record<string, unknown>
  try {
    v = JSON.parse(line)
  } catch {
    return bad('data line is not json')
  }
  if (typeof v !== 'object' || v === null) return bad('data line is not an object')
  const { uri, did, cid, rev, source, indexedAt, seq, logIndex } = v
  if (!str(uri) || !str(did) || !str(cid) || !str(rev) || !str(source) || !str(indexedAt) || !count(seq)) {
    return bad('declaration fields missing or of the wrong type')
  }
  if (!isValidDid(did) || !uri.startsWith(`at://${did}/`)) return bad('declaration uri is not of its did')
  if (logIndex !== undefined && !count(logIndex)) return bad('logIndex must be a non-negative integer')
  if (!optStr(v.statement) || !optStr(v.licenseUri) || !optStr(v.createdAt)) return bad('optional field of wrong type')
  const scope = readScope(v.scope)
  if (!scope) return bad('declaration scope is malformed')
  const preferences = readPreferences(v.preferences)
  if (!preferences) return bad('declaration preferences are malformed')
  const d: SnapshotDeclaration = { uri, did, cid, rev, source, scope, preferences, indexedAt, seq }
  if (v.statement !== undefined) d.statement = v.statement as string
  if (v.licenseUri !== undefined) d.licenseUri = v.licenseUri as string
  if (v.createdAt !== undefined) d.createdAt = v.createdAt as string
  if (logIndex !== undefined) d.logIndex = logIndex as number
  return ok(d)
}
