import type { SafeFetch } from '../identity/ssrf.js'

const originOf = (url: string | URL): string | undefined => {
  try {
    return new URL(url).origin
  } catch {
    return undefined
  }
}

/**
 * A SafeFetch that sends requests for origins the operator configured (a local PDS, a PLC
 * mirror, a dev network) to `trusted`, e.g. a SafeFetcher with allowLoopback, and every other
 * URL — hosts named by DIDs, handles and DID documents — to `guarded`. A redirect followed by
 * `guarded` stays guarded, whatever origin it leads to.
 */
export function fetchTrustingOrigins(origins: Iterable<string>, trusted: SafeFetch, guarded: SafeFetch): SafeFetch {
  const allowed = new Set<string>()
  for (const origin of origins) {
    const normalised = originOf(origin)
    if (normalised === undefined || normalised === 'null') throw new TypeError(`not an http(s) origin origin=${origin}`)
    allowed.add(normalised)
  }
  return (url, init) => {
    const origin = originOf(url)
    return origin !== undefined && allowed.has(origin) ? trusted(url, init) : guarded(url, init)
  }
}
