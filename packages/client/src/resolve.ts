import { AtpAgent } from '@atproto/api'
import { type DidCache, getHandle, getPds, IdResolver } from '@atproto/identity'
import { isValidDid, isValidHandle, normalizeHandle } from '@donottrain/lexicon'
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
 * The identity lookups the client needs. It is an interface so the project's shared resolver
 * (in @donottrain/verifier) can replace the default one without touching the rest.
 */
export interface IdentityResolver {
  /** handle → DID, or undefined when the handle does not resolve. */
  resolveHandle(handle: string): Promise<string | undefined>
  /** DID → PDS endpoint and claimed handle, or undefined when there is no usable DID document. */
  resolveDid(did: string): Promise<ResolvedDid | undefined>
}

export interface IdentityResolverOptions {
  /** PLC directory, default https://plc.directory. */
  plcUrl?: string
  /** Per-lookup timeout in milliseconds (default 5000). */
  timeoutMs?: number
  /** Optional DID document cache (see @atproto/identity's MemoryCache). */
  didCache?: DidCache
  /**
   * A PDS or AppView that answers com.atproto.identity.resolveHandle, asked when DNS and
   * https://<handle>/.well-known/atproto-did do not resolve the handle (e.g. a PDS's own
   * `*.test` handles). Its answer is still checked against the DID document.
   */
  handleService?: string
}

/** The default resolver: @atproto/identity (DNS TXT, HTTPS well-known, PLC, did:web). */
export function createIdentityResolver(opts: IdentityResolverOptions = {}): IdentityResolver {
  const timeout = opts.timeoutMs ?? 5000
  const idResolver = new IdResolver({
    timeout,
    ...(opts.plcUrl ? { plcUrl: opts.plcUrl } : {}),
    ...(opts.didCache ? { didCache: opts.didCache } : {}),
  })
  const fallback = opts.handleService ? new AtpAgent({ service: opts.handleService }) : undefined
  return {
    async resolveHandle(handle) {
      const did = await idResolver.handle.resolve(handle)
      if (did || !fallback) return did
      try {
        const res = await fallback.com.atproto.identity.resolveHandle(
          { handle },
          { signal: AbortSignal.timeout(timeout) },
        )
        return res.data.did
      } catch {
        return undefined
      }
    },
    async resolveDid(did) {
      // null when the document positively does not exist; network failures throw.
      const doc = await idResolver.did.resolve(did)
      const pds = doc ? getPds(doc) : undefined
      if (!doc || !pds) return undefined
      const handle = getHandle(doc)
      return { did, pds, ...(handle ? { handle } : {}) }
    },
  }
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
    const reason = e?.cause?.code ?? e?.message ?? String(err)
    throw new IdentityNotFoundError(`identity lookup failed ${what} reason=${JSON.stringify(reason)}`, { cause: err })
  }
}
