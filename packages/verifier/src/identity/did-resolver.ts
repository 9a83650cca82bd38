import { err, isValidDid, isValidHandle, ok, type Result } from '@donottrain/lexicon'
import { BoundedCache } from '../crypto/bounded-cache.js'
import type { ParsedKey } from '../crypto/types.js'
import { getAtprotoKey } from './atproto-fields.js'
import { type DidDocument, decodeDidDocument } from './did-document.js'
import { HttpStatusError } from './fetch-errors.js'
import { ResolveError } from './resolve-error.js'
import { type SafeFetch, SafeFetcher } from './ssrf.js'

export const DEFAULT_PLC_URL = 'https://plc.directory'
export const DEFAULT_DID_TTL_MS = 60 * 60 * 1000
export const DEFAULT_DID_FAILURE_TTL_MS = 60 * 1000
export const DEFAULT_DID_CACHE_SIZE = 10_000

export interface ResolveOptions {
  /** Skip the cache and fetch the document again (e.g. after an #identity event). */
  forceRefresh?: boolean
}

/** What the proof verifier and the indexer need from identity: a DID's current signing key. */
export interface KeyResolver {
  resolveAtprotoKey(did: string, opts?: { forceRefresh?: boolean }): Promise<Result<ParsedKey, Error>>
}

export interface DidResolverOptions {
  /** PLC directory base URL. Default https://plc.directory. */
  plcUrl?: string
  /** Fetch for did:web documents (attacker-controlled hosts). Default: a SafeFetcher. */
  fetch?: SafeFetch
  /** Fetch for the PLC directory; defaults to `fetch` (e.g. a SafeFetcher with allowPrivate for a mirror on a private network). */
  plcFetch?: SafeFetch
  /** Tests and local dev only: lets the default fetch reach loopback, and accepts did:web:localhost%3A<port>. */
  allowLoopback?: boolean
  /** Tests and local dev only: lets the default fetch reach private addresses. */
  allowPrivate?: boolean
  /** Caps for the default fetch (5 s, 1 MiB). */
  timeoutMs?: number
  maxBytes?: number
  /** How long a resolved document is reused. Default 1 h. */
  ttlMs?: number
  /** How long a failure is reused, so a dead host is not hammered. Default 60 s. */
  failureTtlMs?: number
  /** Most DIDs kept; least recently used go first. Default 10 000. */
  maxCacheSize?: number
  /** Clock, for tests. */
  now?: () => number
}

const PLC_DID = /^did:plc:[a-z2-7]{24}$/

/**
 * Where a DID's document lives: `<plc>/<did>` for did:plc, `https://<host>/.well-known/did.json`
 * for did:web (hostname form only; a `%3A` port only for localhost with allowLoopback, over http).
 */
export function didDocumentUrl(
  did: string,
  opts: { plcUrl?: string; allowLoopback?: boolean } = {},
): Result<string, ResolveError> {
  const invalid = (reason: string) =>
    err(new ResolveError('InvalidDid', `invalid did did=${JSON.stringify(String(did).slice(0, 100))} reason=${reason}`))
  if (typeof did !== 'string' || !isValidDid(did)) return invalid('syntax')
  if (did.startsWith('did:plc:')) {
    if (!PLC_DID.test(did)) return invalid('not a did:plc identifier')
    return ok(`${(opts.plcUrl ?? DEFAULT_PLC_URL).replace(/\/+$/, '')}/${did}`)
  }
  if (!did.startsWith('did:web:')) {
    return err(new ResolveError('UnsupportedDidMethod', `unsupported did method method=${did.split(':')[1]}`))
  }
  const id = did.slice('did:web:'.length)
  if (id.includes(':')) return invalid('did:web paths are not supported')
  const [host = '', port, ...rest] = id.split(/%3a/i)
  if (rest.length > 0 || host.includes('%')) return invalid('unexpected percent-encoding')
  if (host === 'localhost' && opts.allowLoopback === true) {
    if (port !== undefined && !/^[0-9]{1,5}$/.test(port)) return invalid('invalid port')
    return ok(`http://localhost${port === undefined ? '' : `:${port}`}/.well-known/did.json`)
  }
  if (port !== undefined) return invalid('a port is only allowed for localhost in tests')
  if (!isValidHandle(host)) return invalid('not a hostname')
  return ok(`https://${host}/.well-known/did.json`)
}

type CacheEntry = { result: Result<DidDocument, ResolveError>; expiresAt: number; seq: number }
type Pending = { promise: Promise<Result<DidDocument, ResolveError>>; forced: boolean; seq: number }

/**
 * Resolves did:plc and did:web to validated DID documents, with a TTL + LRU cache and one
 * fetch per DID at a time. A forced refresh never joins an older unforced fetch, and a slower
 * older fetch never overwrites a newer result.
 */
export class DidResolver implements KeyResolver {
  readonly #fetch: SafeFetch
  readonly #plcFetch: SafeFetch
  readonly #owned: SafeFetcher | undefined
  readonly #plcUrl: string
  readonly #allowLoopback: boolean
  readonly #ttlMs: number
  readonly #failureTtlMs: number
  readonly #now: () => number
  readonly #cache: BoundedCache<string, CacheEntry>
  readonly #pending = new Map<string, Pending>()
  readonly #keys = new WeakMap<DidDocument, Result<ParsedKey, ResolveError>>()
  #seq = 0

  constructor(options: DidResolverOptions = {}) {
    const plcUrl = options.plcUrl ?? DEFAULT_PLC_URL
    let parsed: URL | undefined
    try {
      parsed = new URL(plcUrl)
    } catch {}
    if (parsed === undefined || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
      throw new TypeError(`plcUrl must be an http(s) url length=${plcUrl.length}`)
    }
    this.#plcUrl = plcUrl.replace(/\/+$/, '')
    this.#allowLoopback = options.allowLoopback === true
    if (options.fetch === undefined) {
      this.#owned = new SafeFetcher({
        allowLoopback: options.allowLoopback,
        allowPrivate: options.allowPrivate,
        timeoutMs: options.timeoutMs,
        maxBytes: options.maxBytes,
      })
    }
    this.#fetch = options.fetch ?? (this.#owned as SafeFetcher).fetch
    this.#plcFetch = options.plcFetch ?? this.#fetch
    this.#ttlMs = options.ttlMs ?? DEFAULT_DID_TTL_MS
    this.#failureTtlMs = options.failureTtlMs ?? DEFAULT_DID_FAILURE_TTL_MS
    this.#cache = new BoundedCache(options.maxCacheSize ?? DEFAULT_DID_CACHE_SIZE)
    this.#now = options.now ?? Date.now
  }

  /** The DID's document, from the cache when fresh; syntax errors are never cached. */
  resolve(did: string, opts: ResolveOptions = {}): Promise<Result<DidDocument, ResolveError>> {
    const url = didDocumentUrl(did, { plcUrl: this.#plcUrl, allowLoopback: this.#allowLoopback })
    if (!url.ok) return Promise.resolve(url)
    const force = opts.forceRefresh === true
    if (!force) {
      const cached = this.#cache.get(did)
      if (cached !== undefined && cached.expiresAt > this.#now()) return Promise.resolve(cached.result)
    }
    const pending = this.#pending.get(did)
    if (pending !== undefined && (pending.forced || !force)) return pending.promise

    const seq = ++this.#seq
    const fetch = did.startsWith('did:plc:') ? this.#plcFetch : this.#fetch
    const promise = (async () => {
      try {
        const result = await fetchDocument(fetch, url.value, did)
        const current = this.#cache.get(did)
        if (current === undefined || current.seq < seq) {
          const ttl = result.ok ? this.#ttlMs : this.#failureTtlMs
          this.#cache.set(did, { result, expiresAt: this.#now() + ttl, seq })
        }
        return result
      } finally {
        if (this.#pending.get(did)?.seq === seq) this.#pending.delete(did)
      }
    })()
    this.#pending.set(did, { promise, forced: force, seq })
    return promise
  }

  /** The DID's current atproto signing key (see getAtprotoKey). */
  async resolveAtprotoKey(did: string, opts: ResolveOptions = {}): Promise<Result<ParsedKey, ResolveError>> {
    const doc = await this.resolve(did, opts)
    if (!doc.ok) return doc
    let key = this.#keys.get(doc.value)
    if (key === undefined) {
      key = getAtprotoKey(doc.value)
      this.#keys.set(doc.value, key)
    }
    return key
  }

  /** Closes the connections of the fetcher this resolver created (an injected one is the caller's). */
  async close(): Promise<void> {
    await this.#owned?.close()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }
}

async function fetchDocument(fetch: SafeFetch, url: string, did: string): Promise<Result<DidDocument, ResolveError>> {
  let res: Awaited<ReturnType<SafeFetch>>
  try {
    res = await fetch(url, { accept: 'application/did+ld+json, application/json' })
  } catch (cause) {
    return err(new ResolveError('FetchFailed', `did resolution failed did=${did} reason=fetch threw`, { cause }))
  }
  if (!res.ok) {
    const cause = res.error
    if (cause instanceof HttpStatusError && cause.status === 404) {
      return err(new ResolveError('DidNotFound', `did not found did=${did}`, { cause }))
    }
    if (cause instanceof HttpStatusError && cause.status === 410) {
      return err(new ResolveError('DidTombstoned', `did is deactivated did=${did}`, { cause }))
    }
    return err(new ResolveError('FetchFailed', `did resolution failed did=${did} reason=${cause.name}`, { cause }))
  }
  return decodeDidDocument(res.value.body, did)
}
