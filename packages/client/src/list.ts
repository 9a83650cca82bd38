import type { AtpAgent } from '@atproto/api'
import {
  type DeclarationErrorCode,
  type DeclarationRecord,
  ids,
  type Preferences,
  type Scope,
  validateDeclaration,
} from '@donottrain/lexicon'
import { call } from './xrpc.js'

/** listRecords page size (the PDS maximum). */
const PAGE_SIZE = 100
/** Upper bound on records read per account; an account with more is reported as truncated. */
export const MAX_DECLARATIONS = 5000

interface EntryBase {
  uri: string
  cid: string
  rkey: string
}

/** A declaration record that passed validateDeclaration. */
export interface ValidDeclarationEntry extends EntryBase {
  valid: true
  record: DeclarationRecord
  scope: Scope
  preferences: Preferences
}

/** A record in the declaration collection that is not a valid declaration; it counts for nothing. */
export interface InvalidDeclarationEntry extends EntryBase {
  valid: false
  value: unknown
  error: { code: DeclarationErrorCode; message: string }
}

export type DeclarationEntry = ValidDeclarationEntry | InvalidDeclarationEntry

export interface DeclarationList {
  entries: DeclarationEntry[]
  /** True when the account holds more than MAX_DECLARATIONS records and the rest were not read. */
  truncated: boolean
}

/** Reads every ai.donottrain.declaration record of a repository from its PDS and validates each. */
export async function listDeclarations(agent: AtpAgent, service: string, did: string): Promise<DeclarationList> {
  const { records, truncated } = await listAllRecords(agent, service, did, ids.AiDonottrainDeclaration)
  return { entries: records.map((rec) => toEntry(did, rec.uri, rec.cid, rec.value)), truncated }
}

/**
 * Every record of one collection of a repository, page by page, up to MAX_DECLARATIONS
 * (`truncated` when the repository holds more).
 */
export async function listAllRecords(
  agent: AtpAgent,
  service: string,
  did: string,
  collection: string,
): Promise<{ records: Array<{ uri: string; cid: string; value: unknown }>; truncated: boolean }> {
  const records: Array<{ uri: string; cid: string; value: unknown }> = []
  let cursor: string | undefined
  do {
    const res = await call(service, 'read', () =>
      agent.com.atproto.repo.listRecords({ repo: did, collection, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) }),
    )
    records.push(...res.data.records)
    cursor = res.data.records.length > 0 ? res.data.cursor : undefined
  } while (cursor && records.length < MAX_DECLARATIONS)
  return { records, truncated: cursor !== undefined }
}

export function toEntry(did: string, uri: string, cid: string, value: unknown): DeclarationEntry {
  const rkey = uri.slice(uri.lastIndexOf('/') + 1)
  const checked = validateDeclaration(value, { did, rkey })
  if (!checked.ok) {
    return { uri, cid, rkey, valid: false, value, error: { code: checked.error.code, message: checked.error.message } }
  }
  const { record, scope, preferences } = checked.value
  return { uri, cid, rkey, valid: true, record, scope, preferences }
}

/** One key per scope, so two declarations about the same thing can be found. */
export function scopeKey(scope: Scope): string {
  switch (scope.type) {
    case 'account':
      return 'account'
    case 'collection':
      return `collection:${scope.collection}`
    case 'record':
      return `record:${scope.uri}`
    case 'origin':
      return `origin:${scope.origin}`
  }
}
