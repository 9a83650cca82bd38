import { err, isValidRecordKey, ok, type Result } from '@donottrain/lexicon'
import { getPdsEndpoint } from '../identity/atproto-fields.js'
import type { DidDocument } from '../identity/did-document.js'
import {
  FetchTimeoutError,
  HttpStatusError,
  ResponseTooLargeError,
  SsrfBlockedError,
} from '../identity/fetch-errors.js'
import type { SafeFetch, SafeResponse } from '../identity/ssrf.js'
import { PdsError } from './errors.js'
import { pdsMethods } from './nsids.js'

/** Proofs are small (a commit, a few MST nodes, one record); the CAR reader caps them at 2 MiB too. */
export const MAX_PROOF_BYTES = 2 * 1024 * 1024
/** Records listed per page, and pages read at most (so at most 1,000 records of one collection). */
const PAGE_SIZE = 100
const MAX_PAGES = 10

export interface RecordRef {
  did: string
  collection: string
  rkey: string
}

/** The account's PDS URL from its DID document, or NoPdsEndpoint. */
export function pdsEndpoint(doc: DidDocument): Result<string, PdsError> {
  const endpoint = getPdsEndpoint(doc)
  if (endpoint === undefined) return err(new PdsError('NoPdsEndpoint', `did document names no pds did=${doc.id}`))
  return ok(endpoint.replace(/\/+$/, ''))
}

/**
 * Reads one PDS, SSRF-guarded through the given fetch: record proofs (`com.atproto.sync.getRecord`,
 * a CAR that proves presence or absence) and record keys of a collection (`listRecords`, not
 * signed: every listed record still has to be proven).
 */
export class PdsClient {
  constructor(
    readonly url: string,
    readonly fetch: SafeFetch,
  ) {}

  /** The proof CAR of one record key (present or absent), as the PDS signs it now. */
  async getRecordProof(ref: RecordRef): Promise<Result<Uint8Array, PdsError>> {
    const query = new URLSearchParams({ did: ref.did, collection: ref.collection, rkey: ref.rkey })
    const res = await this.#get(pdsMethods.getRecord, query, 'application/vnd.ipld.car', MAX_PROOF_BYTES)
    return res.ok ? ok(res.value.body) : res
  }

  /** The record keys of a collection, in the PDS's order; at most 1,000 (then `truncated`). */
  async listRecordKeys(
    did: string,
    collection: string,
  ): Promise<Result<{ rkeys: string[]; truncated: boolean }, PdsError>> {
    const rkeys: string[] = []
    let cursor: string | undefined
    for (let page = 0; page < MAX_PAGES; page++) {
      const query = new URLSearchParams({ repo: did, collection, limit: String(PAGE_SIZE) })
      if (cursor !== undefined) query.set('cursor', cursor)
      const res = await this.#get(pdsMethods.listRecords, query, 'application/json', 4 * 1024 * 1024)
      if (!res.ok) return res
      const body = parseJson(res.value.body)
      const records = (body as { records?: unknown })?.records
      if (!Array.isArray(records)) return malformed(`listRecords answer has no records array collection=${collection}`)
      const prefix = `at://${did}/${collection}/`
      for (const record of records) {
        const uri = (record as { uri?: unknown })?.uri
        if (typeof uri !== 'string' || !uri.startsWith(prefix))
          return malformed(`listed record of another repo or collection`)
        const rkey = uri.slice(prefix.length)
        if (!isValidRecordKey(rkey)) return malformed(`listed record key is invalid uri=${uri}`)
        rkeys.push(rkey)
      }
      const next = (body as { cursor?: unknown }).cursor
      if (typeof next !== 'string' || next === '' || records.length === 0) return ok({ rkeys, truncated: false })
      cursor = next
    }
    return ok({ rkeys, truncated: true })
  }

  async #get(
    method: string,
    query: URLSearchParams,
    accept: string,
    maxBytes: number,
  ): Promise<Result<SafeResponse, PdsError>> {
    const url = `${this.url}/xrpc/${method}?${query}`
    let res: Awaited<ReturnType<SafeFetch>>
    try {
      res = await this.fetch(url, { accept, maxBytes })
    } catch (cause) {
      return err(new PdsError('Unreachable', `pds request failed pds=${this.url} method=${method}`, { cause }))
    }
    if (res.ok) return res
    const cause = res.error
    const reason = `pds=${this.url} method=${method} reason=${cause.message}`
    if (cause instanceof SsrfBlockedError)
      return err(new PdsError('Blocked', `pds address refused ${reason}`, { cause }))
    if (cause instanceof HttpStatusError) {
      return err(new PdsError('HttpError', `pds answered status=${cause.status} ${reason}`, { cause }))
    }
    if (cause instanceof ResponseTooLargeError) {
      return err(new PdsError('MalformedResponse', `pds answer too large ${reason}`, { cause }))
    }
    const what = cause instanceof FetchTimeoutError ? 'timed out' : 'unreachable'
    return err(new PdsError('Unreachable', `pds ${what} ${reason}`, { cause }))
  }
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes))
  } catch {
    return undefined
  }
}

const malformed = (message: string) => err(new PdsError('MalformedResponse', message))
