import { Resolver } from 'node:dns/promises'
import { err, isValidDid, isValidHandle, normalizeHandle, ok, type Result } from '@donottrain/lexicon'
import { getHandle } from './atproto-fields.js'
import type { DidDocument } from './did-document.js'
import type { ResolveOptions } from './did-resolver.js'
import { type SafeFetch, SafeFetcher } from './ssrf.js'

export const DEFAULT_DNS_TIMEOUT_MS = 3_000
/** A well-known answer is one DID; anything much longer is not one. */
const MAX_WELL_KNOWN_BYTES = 4096

/** TXT lookup: each record as its character-strings, like `dns.promises.resolveTxt`. */
export type TxtResolver = (hostname: string) => Promise<string[][]>

export type HandleErrorCode =
  | 'InvalidHandle' // not handle syntax, or a TLD atproto never resolves (.local, .arpa, .onion…)
  | 'HandleNotFound' // neither DNS nor the well-known gave exactly one valid DID
  | 'HandleMismatch' // the handle resolves to another DID
  | 'HandleNotInDocument' // the DID document does not claim the handle (first at:// alsoKnownAs)
  | 'DidResolutionFailed' // the DID document could not be resolved; `cause` says why

export class HandleResolveError extends Error {
  override name = 'HandleResolveError'
  constructor(
    readonly code: HandleErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** Reserved TLDs the atproto handle spec says never to resolve (`.test` stays allowed for dev). */
const DISALLOWED_TLDS = ['.alt', '.arpa', '.example', '.internal', '.invalid', '.local', '.localhost', '.onion']

/** Checks and lower-cases a handle, refusing the reserved TLDs. */
export function checkHandle(input: string): Result<string, HandleResolveError> {
  if (typeof input !== 'string' || !isValidHandle(input)) {
    const shown = typeof input === 'string' ? JSON.stringify(input.slice(0, 100)) : typeof input
    return err(new HandleResolveError('InvalidHandle', `invalid handle handle=${shown}`))
  }
  const handle = normalizeHandle(input)
  const tld = DISALLOWED_TLDS.find((suffix) => handle.endsWith(suffix))
  if (tld !== undefined)
    return err(new HandleResolveError('InvalidHandle', `disallowed tld handle=${handle} tld=${tld}`))
  return ok(handle)
}

export interface HandleResolverOptions {
  /** Fetch for the well-known (attacker-controlled hosts). Default: a SafeFetcher. */
  fetch?: SafeFetch
  /** TXT lookup, injectable for tests. Default: a `dns.promises.Resolver`. */
  resolveTxt?: TxtResolver
  /** Tests only: the well-known URL for a handle instead of https://<handle>/.well-known/atproto-did. */
  wellKnownOverride?: (handle: string) => string | undefined
  /** Tests and local dev only, for the default fetch. */
  allowLoopback?: boolean
  allowPrivate?: boolean
  /** Cap for the default fetch (5 s). */
  timeoutMs?: number
  /** Per-try timeout of the default DNS resolver (2 tries). Default 3 s. */
  dnsTimeoutMs?: number
}

const notFound = (handle: string, how: string, reason: string, cause?: unknown) =>
  err(
    new HandleResolveError(
      'HandleNotFound',
      `handle not resolved handle=${handle} via=${how} reason=${reason}`,
      cause === undefined ? undefined : { cause },
    ),
  )

/**
 * The DID a `_atproto.<handle>` TXT answer names: exactly one `did=` record, holding a valid
 * DID. None, several, or an invalid one is no answer.
 */
export function didFromTxt(
  handle: string,
  records: readonly (readonly string[])[],
): Result<string, HandleResolveError> {
  const values = records.map((chunks) => chunks.join('')).filter((text) => text.startsWith('did='))
  if (values.length !== 1) return notFound(handle, 'dns', `did records count=${values.length}`)
  const did = (values[0] ?? '').slice('did='.length)
  return isValidDid(did) ? ok(did) : notFound(handle, 'dns', 'invalid did')
}

/**
 * Resolves handles to DIDs the two ways the atproto handle spec defines: DNS TXT at
 * `_atproto.<handle>` and HTTPS `/.well-known/atproto-did`, both started at once; DNS wins when
 * it answers. The result is not verified: use verifyHandle for the DID document's side.
 */
export class HandleResolver {
  readonly #fetch: SafeFetch
  readonly #owned: SafeFetcher | undefined
  readonly #resolveTxt: TxtResolver
  readonly #wellKnownOverride: ((handle: string) => string | undefined) | undefined

  constructor(options: HandleResolverOptions = {}) {
    if (options.fetch === undefined) {
      this.#owned = new SafeFetcher({
        allowLoopback: options.allowLoopback,
        allowPrivate: options.allowPrivate,
        timeoutMs: options.timeoutMs,
      })
    }
    this.#fetch = options.fetch ?? (this.#owned as SafeFetcher).fetch
    if (options.resolveTxt === undefined) {
      const resolver = new Resolver({ timeout: options.dnsTimeoutMs ?? DEFAULT_DNS_TIMEOUT_MS, tries: 2 })
      this.#resolveTxt = (hostname) => resolver.resolveTxt(hostname)
    } else {
      this.#resolveTxt = options.resolveTxt
    }
    this.#wellKnownOverride = options.wellKnownOverride
  }

  async resolve(input: string): Promise<Result<string, HandleResolveError>> {
    const checked = checkHandle(input)
    if (!checked.ok) return checked
    const handle = checked.value
    const httpAbort = new AbortController()
    const http = this.#resolveHttp(handle, httpAbort.signal)
    const dns = await this.resolveDns(handle)
    if (dns.ok) {
      httpAbort.abort()
      return dns
    }
    const fromHttp = await http
    if (fromHttp.ok) return fromHttp
    return notFound(handle, 'dns+http', 'no answer', new AggregateError([dns.error, fromHttp.error]))
  }

  /** The DNS half alone: `_atproto.<handle>` TXT. */
  async resolveDns(input: string): Promise<Result<string, HandleResolveError>> {
    const checked = checkHandle(input)
    if (!checked.ok) return checked
    const handle = checked.value
    let records: string[][]
    try {
      records = await this.#resolveTxt(`_atproto.${handle}`)
    } catch (cause) {
      const code = String((cause as { code?: unknown })?.code ?? 'unknown')
      return notFound(handle, 'dns', code === 'ENOTFOUND' || code === 'ENODATA' ? 'no records' : code, cause)
    }
    return didFromTxt(handle, records)
  }

  /** The HTTPS half alone: `https://<handle>/.well-known/atproto-did`, through the SSRF guard. */
  resolveHttp(input: string, signal?: AbortSignal): Promise<Result<string, HandleResolveError>> {
    const checked = checkHandle(input)
    return checked.ok ? this.#resolveHttp(checked.value, signal) : Promise.resolve(checked)
  }

  async #resolveHttp(handle: string, signal?: AbortSignal): Promise<Result<string, HandleResolveError>> {
    const url = this.#wellKnownOverride?.(handle) ?? `https://${handle}/.well-known/atproto-did`
    let res: Awaited<ReturnType<SafeFetch>>
    try {
      res = await this.#fetch(url, { accept: 'text/plain', maxBytes: MAX_WELL_KNOWN_BYTES, signal })
    } catch (cause) {
      return notFound(handle, 'http', 'fetch threw', cause)
    }
    if (!res.ok) return notFound(handle, 'http', res.error.name, res.error)
    let did: string
    try {
      did = new TextDecoder('utf-8', { fatal: true }).decode(res.value.body).trim()
    } catch (cause) {
      return notFound(handle, 'http', 'body is not utf-8', cause)
    }
    return isValidDid(did) ? ok(did) : notFound(handle, 'http', 'body is not a did')
  }

  /** Closes the connections of the fetcher this resolver created. */
  async close(): Promise<void> {
    await this.#owned?.close()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }
}

export interface VerifyHandleDeps {
  handles: { resolve(handle: string): Promise<Result<string, Error>> }
  dids: { resolve(did: string, opts?: ResolveOptions): Promise<Result<DidDocument, Error>> }
}

export interface VerifiedHandle {
  handle: string
  did: string
  document: DidDocument
}

/**
 * Bidirectional handle verification: the handle must resolve to `did`, and `did`'s document
 * must claim the handle as its first `at://` alsoKnownAs entry (the one the atproto DID spec
 * calls the account's handle; later entries claim nothing).
 */
export async function verifyHandle(
  input: string,
  did: string,
  deps: VerifyHandleDeps,
  opts: ResolveOptions = {},
): Promise<Result<VerifiedHandle, HandleResolveError>> {
  const checked = checkHandle(input)
  if (!checked.ok) return checked
  const handle = checked.value
  const [resolved, doc] = await Promise.all([deps.handles.resolve(handle), deps.dids.resolve(did, opts)])
  if (!resolved.ok) {
    const cause = resolved.error
    return err(
      cause instanceof HandleResolveError
        ? cause
        : new HandleResolveError('HandleNotFound', `handle not resolved handle=${handle}`, { cause }),
    )
  }
  if (resolved.value !== did) {
    return err(
      new HandleResolveError(
        'HandleMismatch',
        `handle resolves to another did handle=${handle} did=${did} resolved=${resolved.value}`,
      ),
    )
  }
  if (!doc.ok) {
    return err(
      new HandleResolveError('DidResolutionFailed', `did document not resolved handle=${handle} did=${did}`, {
        cause: doc.error,
      }),
    )
  }
  const claimed = getHandle(doc.value)
  if (claimed !== handle) {
    return err(
      new HandleResolveError(
        'HandleNotInDocument',
        `did document does not claim the handle handle=${handle} did=${did} claimed=${claimed ?? 'none'}`,
      ),
    )
  }
  return ok({ handle, did, document: doc.value })
}
