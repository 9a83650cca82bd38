import { err, isValidDid, ok, type Result } from '@donottrain/lexicon'
import { DidResolver } from '../identity/did-resolver.js'
import { HandleResolveError, HandleResolver } from '../identity/handle-resolver.js'
import { type SafeFetch, SafeFetcher } from '../identity/ssrf.js'
import { pdsMethods } from './nsids.js'
import { fetchTrustingOrigins } from './trusted-origins.js'

export interface NetworkOptions {
  /** PLC directory (default https://plc.directory); trusted like the origins below. */
  plcUrl?: string
  /**
   * Origins the operator configured (a PDS, a PLC mirror, a dev network): fetched without the
   * loopback / private-address guard. Everything else — hosts named by DIDs, handles and DID
   * documents — goes through the SSRF guard.
   */
  trustedOrigins?: Iterable<string>
  /**
   * A PDS asked `com.atproto.identity.resolveHandle` when DNS and HTTPS do not resolve a handle
   * (e.g. its own `.test` handles). Trusted as configuration; its answer is still only a claim
   * that the DID document must confirm.
   */
  handleService?: string
  /** Tests and local dev only: every host may be on loopback. */
  allowLoopback?: boolean
  /** Per-request time cap (default 5 s). */
  timeoutMs?: number
}

/** The network a verifier uses: guarded fetch, DID and handle resolution, closed together. */
export interface VerifierNetwork {
  /** For PDSes, did:web hosts and well-knowns: SSRF-guarded except for the trusted origins. */
  fetch: SafeFetch
  dids: DidResolver
  /** handle → DID (not yet confirmed by the DID document). */
  resolveHandle(handle: string): Promise<Result<string, HandleResolveError>>
  close(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

/** Builds the fetchers and resolvers a crawler or the CLI needs, sharing one guard and one cache. */
export function createNetwork(options: NetworkOptions = {}): VerifierNetwork {
  const timeoutMs = options.timeoutMs
  const guarded = new SafeFetcher({ timeoutMs, allowLoopback: options.allowLoopback })
  const open = new SafeFetcher({ timeoutMs, allowLoopback: true, allowPrivate: true })
  const origins = [...(options.trustedOrigins ?? [])]
  if (options.plcUrl !== undefined) origins.push(options.plcUrl)
  if (options.handleService !== undefined) origins.push(options.handleService)
  const fetch = fetchTrustingOrigins(origins, open.fetch, guarded.fetch)
  const dids = new DidResolver({
    fetch,
    allowLoopback: options.allowLoopback,
    ...(options.plcUrl !== undefined ? { plcUrl: options.plcUrl } : {}),
  })
  const handles = new HandleResolver({ fetch })
  const service = options.handleService?.replace(/\/+$/, '')
  const close = async () => {
    await Promise.all([guarded.close(), open.close()])
  }
  return {
    fetch,
    dids,
    async resolveHandle(handle) {
      const found = await handles.resolve(handle)
      if (found.ok || service === undefined) return found
      const asked = await askService(fetch, service, handle)
      return asked.ok ? asked : found
    },
    close,
    [Symbol.asyncDispose]: close,
  }
}

async function askService(
  fetch: SafeFetch,
  service: string,
  handle: string,
): Promise<Result<string, HandleResolveError>> {
  const res = await fetch(`${service}/xrpc/${pdsMethods.resolveHandle}?${new URLSearchParams({ handle })}`)
  const notFound = (reason: string, cause?: unknown) =>
    err(
      new HandleResolveError('HandleNotFound', `handle not resolved handle=${handle} via=service reason=${reason}`, {
        cause,
      }),
    )
  if (!res.ok) return notFound(res.error.name, res.error)
  let did: unknown
  try {
    did = (JSON.parse(new TextDecoder().decode(res.value.body)) as { did?: unknown }).did
  } catch (cause) {
    return notFound('body is not json', cause)
  }
  return typeof did === 'string' && isValidDid(did) ? ok(did) : notFound('no did in the answer')
}
