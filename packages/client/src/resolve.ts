import { AtpAgent } from '@atproto/api'
import { isValidDid, isValidHandle, normalizeHandle } from '@donottrain/lexicon'
import {
  DidResolver,
  GuardedFetch,
  getHandle,
  getPdsEndpoint,
  HandleResolver,
  ResolveError,
  type SafeFetch,
  SafeFetcher,
} from '@donottrain/verifier'
import { IdentityNotFoundError } from './errors.js'

/** What a DID document says about the account. */
export interface ResolvedDid {
  did: string
  /** The `#atproto_pds` service endpoint. */
  pds: string
  /** The handle the document claims (`alsoKnownAs`), not yet checked in the other direction. */
  handle?: string
}

/**
 * The identity lookups the client needs. The default is the project's shared, SSRF-guarded
 * resolver from @donottrain/verifier; any other implementation can be passed as `resolver`.
 */
export interface IdentityResolver {
  /** handle → DID, or undefined when the handle does not resolve. */
  resolveHandle(handle: string): Promise<string | undefined>
  /** DID → PDS endpoint and claimed handle, or undefined when there is no usable DID document. */
  resolveDid(did: string): Promise<ResolvedDid | undefined>
}

export interface IdentityResolverOptions {
  /**
   * PLC directory, default https://plc.directory. A directory you name is trusted like any
   * configuration: it may be on loopback or a private network (a local dev PLC, a mirror).
   */
  plcUrl?: string
  /** Per-lookup timeout in milliseconds (default 5000). */
  timeoutMs?: number
  /**
   * Tests and local dev only: lets did:web documents and handle well-knowns be fetched from
   * loopback addresses (and accepts did:web:localhost%3A<port>). Off by default: those hosts
   * are named by other people's DIDs and handles, so they must not reach this machine.
   */
  allowLoopback?: boolean
  /** A shared DID resolver (and its cache) to use instead of creating one; the options above are then not used for DIDs. */
  didResolver?: DidResolver
  /** A shared handle resolver to use instead of creating one. */
  handleResolver?: HandleResolver
  /**
   * A PDS or AppView that answers com.atproto.identity.resolveHandle, asked when DNS and
   * https://<handle>/.well-known/atproto-did do not resolve the handle (e.g. a PDS's own
   * `*.test` handles). Its answer is still checked against the DID document.
   */
  handleService?: string
}

/**
 * The default resolver: @donottrain/verifier's DidResolver (PLC and did:web, cached) and
 * HandleResolver (DNS TXT, then HTTPS well-known), with every fetch to a host named by a DID
 * or handle going through the SSRF guard.
 */
export function createIdentityResolver(opts: IdentityResolverOptions = {}): IdentityResolver {
  const timeoutMs = opts.timeoutMs ?? 5000
  const allowLoopback = opts.allowLoopback === true
  const fetch = sharedFetch(allowLoopback ? 'loopback' : 'guarded', timeoutMs)
  const dids =
    opts.didResolver ??
    new DidResolver({
      fetch,
      allowLoopback,
      ...(opts.plcUrl ? { plcUrl: opts.plcUrl, plcFetch: sharedFetch('configured', timeoutMs) } : {}),
    })
  const handles = opts.handleResolver ?? new HandleResolver({ fetch })
  const fallback = opts.handleService ? new AtpAgent({ service: opts.handleService }) : undefined
  return {
    async resolveHandle(handle) {
      const found = await handles.resolve(handle)
      if (found.ok) return found.value
      if (!fallback) return undefined
      try {
        const res = await fallback.com.atproto.identity.resolveHandle(
          { handle },
          { signal: AbortSignal.timeout(timeoutMs) },
        )
        return res.data.did
      } catch {
        return undefined
      }
    },
    async resolveDid(did) {
      const doc = await dids.resolve(did)
      if (!doc.ok) {
        // A document that positively does not exist (or is unusable) is no answer; a failed
        // lookup (network, timeout) is an error the caller reports as such.
        if (doc.error.code === 'FetchFailed') throw doc.error
        return undefined
      }
      const pds = getPdsEndpoint(doc.value)
      if (!pds) return undefined
      const handle = getHandle(doc.value)
      return { did, pds, ...(handle ? { handle } : {}) }
    },
  }
}

/**
 * Fetchers shared by every default resolver, one per policy and timeout: each holds a connection
 * pool, and status() or login() without a resolver must not leave a new pool behind each call.
 */
const sharedFetchers = new Map<string, SafeFetcher>()

function sharedFetch(policy: 'guarded' | 'loopback' | 'configured', timeoutMs: number): SafeFetch {
  const key = `${policy}:${timeoutMs}`
  let fetcher = sharedFetchers.get(key)
  if (fetcher === undefined) {
    // A PLC directory the caller configured is trusted like any configuration: it may be local.
    const open = policy === 'configured'
    fetcher = new SafeFetcher({ allowLoopback: policy !== 'guarded', allowPrivate: open, timeoutMs })
    sharedFetchers.set(key, fetcher)
  }
  return fetcher.fetch
}

const sharedPdsFetchers = new Map<string, GuardedFetch>()

/**
 * The fetch for XRPC calls to a PDS named by someone else's DID document (status of any subject):
 * SSRF-guarded like the resolvers (`guarded`: no private, loopback or link-local addresses,
 * checked at connect time; `loopback`: tests and local dev), no redirects, time and body capped.
 * `configured` is for a PDS the caller named itself (trusted like any configuration). Shared per
 * policy and timeout, like the resolvers' fetchers.
 */
export function guardedPdsFetch(
  policy: 'guarded' | 'loopback' | 'configured',
  timeoutMs: number,
): typeof globalThis.fetch {
  const key = `${policy}:${timeoutMs}`
  let fetcher = sharedPdsFetchers.get(key)
  if (fetcher === undefined) {
    fetcher = new GuardedFetch({
      allowLoopback: policy !== 'guarded',
      allowPrivate: policy === 'configured',
      timeoutMs,
      maxBytes: 4 * 1024 * 1024,
    })
    sharedPdsFetchers.set(key, fetcher)
  }
  return fetcher.fetch
}

/** An account as the client uses it: DID, PDS, and the handle if it checks out both ways. */
export interface ResolvedActor {
  did: string
  pds: string
  /** Present only when the handle resolves to the DID and the DID document claims the handle. */
  handle?: string
}

/** Resolves a handle or DID to the account's DID, PDS and verified handle. */
export async function resolveActor(resolver: IdentityResolver, actor: string): Promise<ResolvedActor> {
  const input = actor.startsWith('@') ? actor.slice(1) : actor
  let did: string
  let handle: string | undefined
  if (isValidDid(input)) {
    did = input
  } else if (isValidHandle(input)) {
    handle = normalizeHandle(input)
    const found = await lookup(() => resolver.resolveHandle(handle as string), `handle=${handle}`)
    if (!found) throw new IdentityNotFoundError(`handle does not resolve handle=${handle}`)
    did = found
  } else {
    throw new IdentityNotFoundError(`not a handle or did actor=${JSON.stringify(actor)}`)
  }
  const doc = await lookup(() => resolver.resolveDid(did), `did=${did}`)
  if (!doc) throw new IdentityNotFoundError(`did has no document with a pds did=${did}`)
  const claimed = doc.handle ? normalizeHandle(doc.handle) : undefined
  if (handle === undefined && claimed) {
    // DID given: the document's handle counts only if it resolves back to the DID.
    const back = await resolver.resolveHandle(claimed).catch(() => undefined)
    if (back === did) handle = claimed
  } else if (handle !== undefined && claimed !== handle) {
    handle = undefined
  }
  return { did, pds: doc.pds, ...(handle ? { handle } : {}) }
}

async function lookup<T>(fn: () => Promise<T>, what: string): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    const e = err as { message?: string; cause?: { code?: string } }
    const reason = err instanceof ResolveError ? rootReason(err) : (e?.cause?.code ?? e?.message ?? String(err))
    throw new IdentityNotFoundError(`identity lookup failed ${what} reason=${JSON.stringify(reason)}`, { cause: err })
  }
}

/** The innermost message of a resolver error (e.g. the fetch failure under FetchFailed). */
function rootReason(err: Error): string {
  let current: unknown = err
  while (current instanceof Error && current.cause instanceof Error) current = current.cause
  return current instanceof Error ? current.message : err.message
}
