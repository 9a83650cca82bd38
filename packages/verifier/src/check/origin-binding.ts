import { parseOrigin } from '@donottrain/lexicon'
import { getHandle } from '../identity/atproto-fields.js'
import type { SafeFetch } from '../identity/ssrf.js'
import type { AccountResolver } from './resolve-account.js'
import type { OriginBinding } from './types.js'

const WELL_KNOWN_MAX_BYTES = 1024

/**
 * Checks, live, that a web origin belongs to an account, as the protocol defines it: the origin's
 * host is the account's handle (the DID document claims it and the handle resolves back), or
 * `<origin>/.well-known/atproto-did` serves the DID (fetched through the SSRF guard).
 */
export async function verifyOriginBinding(
  origin: string,
  did: string,
  deps: AccountResolver & { fetch: SafeFetch },
): Promise<OriginBinding | undefined> {
  const parsed = parseOrigin(origin)
  if (!parsed.ok) return undefined
  const { host } = parsed.value
  const doc = await deps.dids.resolve(did)
  if (doc.ok && getHandle(doc.value) === host) {
    const back = await deps.resolveHandle(host)
    if (back.ok && back.value === did) return { origin: parsed.value.origin, did, via: 'handle' }
  }
  const res = await deps.fetch(`${parsed.value.origin}/.well-known/atproto-did`, {
    accept: 'text/plain',
    maxBytes: WELL_KNOWN_MAX_BYTES,
  })
  if (!res.ok) return undefined
  const served = (new TextDecoder().decode(res.value.body).split('\n')[0] ?? '').trim()
  return served === did ? { origin: parsed.value.origin, did, via: 'well-known' } : undefined
}
