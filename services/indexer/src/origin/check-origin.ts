import { parseOrigin, type Result } from '@donottrain/lexicon'
import {
  type DidDocument,
  FetchTimeoutError,
  getHandle,
  HttpStatusError,
  type SafeFetch,
  type SafeFetchError,
} from '@donottrain/verifier'
import { isOutage } from '../ingest/outage.js'

/** Largest /.well-known/atproto-did body read; a DID is far shorter. */
const WELL_KNOWN_MAX_BYTES = 1024

export type OriginVia = 'handle' | 'well-known'

/**
 * verified: bound, and how. Not verified: `conclusive` false when the check could not finish
 * for a passing reason (a timeout, a 5xx, the DID directory down): the stored flag is kept.
 */
export type OriginCheck = { verified: true; via: OriginVia } | { verified: false; conclusive: boolean; reason: string }

export interface OriginCheckDeps {
  resolveDid(did: string): Promise<Result<DidDocument, Error>>
  /** Handle → DID (DNS TXT and https well-known), e.g. HandleResolver.resolve. */
  resolveHandle(handle: string): Promise<Result<string, Error>>
  /** SSRF-guarded fetch for the origin's well-known (attacker-controlled). */
  fetch: SafeFetch
  timeoutMs: number
  /** Tests only: where an origin's well-known is fetched (default `<origin>/.well-known/atproto-did`). */
  wellKnownUrl?(origin: string): string
}

/**
 * Checks that a web origin is bound to an account, as the declaration lexicon defines it: the
 * origin's host is the account's verified handle (the handle its DID document claims, which
 * resolves back to the DID), or GET <origin>/.well-known/atproto-did answers the DID.
 */
export async function checkOrigin(
  did: string,
  origin: string,
  deps: OriginCheckDeps,
  signal?: AbortSignal,
): Promise<OriginCheck> {
  const parsed = parseOrigin(origin)
  if (!parsed.ok) return { verified: false, conclusive: true, reason: 'invalid-origin' }
  let conclusive = true

  const doc = await deps.resolveDid(did)
  if (!doc.ok) {
    if (isOutage(doc.error)) conclusive = false
  } else if (getHandle(doc.value) === parsed.value.host) {
    const resolved = await deps.resolveHandle(parsed.value.host)
    if (resolved.ok && resolved.value === did) return { verified: true, via: 'handle' }
    // The document claims the handle but it does not resolve now: keep what was known.
    if (!resolved.ok) conclusive = false
  }

  const url = deps.wellKnownUrl?.(parsed.value.origin) ?? `${parsed.value.origin}/.well-known/atproto-did`
  const res = await deps.fetch(url, {
    accept: 'text/plain',
    maxBytes: WELL_KNOWN_MAX_BYTES,
    timeoutMs: deps.timeoutMs,
    signal,
  })
  if (res.ok) {
    let served = ''
    try {
      served = (new TextDecoder('utf-8', { fatal: true }).decode(res.value.body).split('\n')[0] ?? '').trim()
    } catch {}
    if (served === did) return { verified: true, via: 'well-known' }
    return { verified: false, conclusive, reason: 'well-known-mismatch' }
  }
  if (isTransient(res.error)) conclusive = false
  return { verified: false, conclusive, reason: `well-known-${res.error.name}` }
}

/** A timeout or a server-side error: the site may answer later. A refused or unknown host is an answer. */
function isTransient(error: SafeFetchError): boolean {
  if (error instanceof FetchTimeoutError) return true
  return error instanceof HttpStatusError && isOutage(error)
}
