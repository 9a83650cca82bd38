import { isIP } from 'node:net'
import { err, ok, type Result } from '@donottrain/lexicon'
import { Agent, type Dispatcher, request } from 'undici'
import {
  FetchFailedError,
  FetchTimeoutError,
  HttpStatusError,
  ResponseTooLargeError,
  redactUrl,
  type SafeFetchError,
  SsrfBlockedError,
} from './fetch-errors.js'
import { defaultResolveHost, guardedLookup, type HostResolver, isLocalhostName } from './guarded-lookup.js'
import { type AddressPolicy, classifyAddress, isAllowedAddress } from './ip-range.js'

export const DEFAULT_FETCH_TIMEOUT_MS = 5_000
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024
export const DEFAULT_MAX_REDIRECTS = 3

export interface SafeFetchOptions extends AddressPolicy {
  /** Cap on the whole exchange, redirects and body included. Default 5 s. */
  timeoutMs?: number
  /** Cap on the response body. Default 1 MiB. */
  maxBytes?: number
  /** Redirects followed (each hop re-checked). Default 3. */
  maxRedirects?: number
  /** DNS resolution, injectable for tests; default `dns.lookup` with `all: true`. */
  resolveHost?: HostResolver
  userAgent?: string
}

export interface SafeFetchInit {
  /** The Accept header. Default 'application/json'. */
  accept?: string
  /** Aborts the exchange (on top of the time cap). */
  signal?: AbortSignal
  /** Time cap for this call; it can lower the fetcher's cap, not raise it. */
  timeoutMs?: number
  /** Body cap for this call, instead of the fetcher's. */
  maxBytes?: number
}

export interface SafeResponse {
  /** The URL that answered, after redirects. */
  url: string
  status: number
  contentType: string | undefined
  body: Uint8Array
}

/** A GET that only reaches public addresses and returns a capped 2xx body, or a typed error. */
export type SafeFetch = (url: string | URL, init?: SafeFetchInit) => Promise<Result<SafeResponse, SafeFetchError>>

type Body = Dispatcher.ResponseData['body']

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])
/** undici's own timers (connect 10 s, headers and body at the cap) may fire first: timeouts too. */
const UNDICI_TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])

const unbracket = (hostname: string): string =>
  hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname

const blocked = (code: SsrfBlockedError['code'], message: string) => err(new SsrfBlockedError(code, message))

/**
 * Checks a URL before any connection: http(s) only, no credentials, https unless the host is
 * loopback and loopback is allowed, and an IP-literal host must be an allowed address (a
 * literal never reaches the DNS lookup, so this is where it is checked).
 */
export function checkFetchUrl(input: string | URL, policy: AddressPolicy = {}): Result<URL, SsrfBlockedError> {
  let url: URL
  try {
    url = new URL(input)
  } catch {
    return blocked('InvalidUrl', `invalid url length=${String(input).length}`)
  }
  const shown = redactUrl(url)
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return blocked('ForbiddenProtocol', `only http and https urls are fetched protocol=${url.protocol}`)
  }
  if (url.username !== '' || url.password !== '') {
    return blocked('Credentials', `refusing a url with credentials url=${shown}`)
  }
  const host = unbracket(url.hostname)
  const literal = isIP(host) !== 0
  if (literal && !isAllowedAddress(host, policy)) {
    return blocked('ForbiddenAddress', `refusing address url=${shown} range=${classifyAddress(host).range}`)
  }
  const loopbackHost = literal ? classifyAddress(host).kind === 'loopback' : isLocalhostName(host)
  if (url.protocol === 'http:' && !(policy.allowLoopback === true && loopbackHost)) {
    return blocked('HttpsRequired', `https is required url=${shown}`)
  }
  return ok(url)
}

function findCause<T extends Error>(error: unknown, type: abstract new (...args: never[]) => T): T | undefined {
  let current: unknown = error
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    if (current instanceof type) return current
    current = current.cause
  }
  return undefined
}

/** Drops a body we will not read; undici reports that as an abort error, which is expected here. */
function discard(body: Body): void {
  body.on('error', () => {})
  body.destroy()
}

/** The next hop of a redirect, or undefined without a usable Location. */
function redirectTarget(location: string | string[] | undefined, base: URL): URL | undefined {
  if (typeof location !== 'string') return undefined
  try {
    return new URL(location, base)
  } catch {
    return undefined
  }
}

/**
 * Reads a body up to maxBytes, refusing an announced length over the cap before reading and
 * dropping the connection as soon as the streamed bytes pass it. Undefined when too large;
 * throws when the stream fails (abort, reset).
 */
async function readCapped(body: Body, maxBytes: number, declared: number): Promise<Uint8Array | undefined> {
  if (Number.isFinite(declared) && declared > maxBytes) {
    discard(body)
    return undefined
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > maxBytes) {
      discard(body)
      return undefined
    }
    chunks.push(chunk)
  }
  return new Uint8Array(Buffer.concat(chunks, size))
}

const reasonOf = (cause: unknown): string =>
  (cause as { code?: unknown })?.code?.toString() ?? (cause instanceof Error ? cause.name : 'unknown')

/**
 * Fetches attacker-controlled URLs (did:web hosts, PDS endpoints, handle well-knowns) without
 * letting them reach the machine's own network: every hop is checked, DNS is resolved by the
 * guard inside the connection (so the address checked is the address connected to), and time
 * and size are capped. One undici Agent per fetcher; close() ends its idle connections.
 */
export class SafeFetcher {
  readonly #agent: Agent
  readonly #policy: AddressPolicy
  readonly #timeoutMs: number
  readonly #maxBytes: number
  readonly #maxRedirects: number
  readonly #userAgent: string

  constructor(options: SafeFetchOptions = {}) {
    this.#policy = { allowLoopback: options.allowLoopback === true, allowPrivate: options.allowPrivate === true }
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS
    this.#maxBytes = options.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES
    this.#maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS
    this.#userAgent = options.userAgent ?? 'donottrain-verifier'
    this.#agent = new Agent({
      connect: { lookup: guardedLookup(options.resolveHost ?? defaultResolveHost, this.#policy) },
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
    })
  }

  readonly fetch: SafeFetch = async (input, init = {}) => {
    const timeoutMs = Math.min(init.timeoutMs ?? this.#timeoutMs, this.#timeoutMs)
    const maxBytes = init.maxBytes ?? this.#maxBytes
    const timeout = AbortSignal.timeout(timeoutMs)
    const signal = init.signal === undefined ? timeout : AbortSignal.any([init.signal, timeout])
    const failure = (cause: unknown, url: URL): SafeFetchError => {
      const guard = findCause(cause, SsrfBlockedError)
      if (guard !== undefined) return guard
      const shown = redactUrl(url)
      if (timeout.aborted || UNDICI_TIMEOUTS.has(reasonOf(cause))) {
        return new FetchTimeoutError(timeoutMs, `request timed out timeout_ms=${timeoutMs} url=${shown}`, { cause })
      }
      if (init.signal?.aborted === true) {
        return new FetchFailedError('Aborted', `request aborted url=${shown}`, { cause })
      }
      return new FetchFailedError('Network', `request failed url=${shown} reason=${reasonOf(cause)}`, { cause })
    }

    let next: string | URL = input
    for (let hop = 0; ; hop++) {
      const checked = checkFetchUrl(next, this.#policy)
      if (!checked.ok) return checked
      const url = checked.value
      let res: Dispatcher.ResponseData
      try {
        res = await request(url, {
          dispatcher: this.#agent,
          method: 'GET',
          headers: { accept: init.accept ?? 'application/json', 'user-agent': this.#userAgent },
          signal,
        })
      } catch (cause) {
        return err(failure(cause, url))
      }
      const { statusCode: status, headers, body } = res
      const shown = redactUrl(url)

      if (REDIRECT_STATUSES.has(status)) {
        discard(body)
        if (hop >= this.#maxRedirects) {
          return err(
            new FetchFailedError('TooManyRedirects', `too many redirects max=${this.#maxRedirects} url=${shown}`),
          )
        }
        const target = redirectTarget(headers.location, url)
        if (target === undefined) {
          return err(
            new FetchFailedError('BadRedirect', `redirect without a usable location status=${status} url=${shown}`),
          )
        }
        next = target
        continue
      }
      if (status < 200 || status > 299) {
        discard(body)
        return err(new HttpStatusError(status, `unexpected http status status=${status} url=${shown}`))
      }

      let bytes: Uint8Array | undefined
      try {
        bytes = await readCapped(body, maxBytes, Number(headers['content-length']))
      } catch (cause) {
        return err(failure(cause, url))
      }
      if (bytes === undefined) {
        return err(new ResponseTooLargeError(maxBytes, `response too large max_bytes=${maxBytes} url=${shown}`))
      }
      const contentType = headers['content-type']
      return ok({
        url: url.href,
        status,
        contentType: typeof contentType === 'string' ? contentType : undefined,
        body: bytes,
      })
    }
  }

  close(): Promise<void> {
    return this.#agent.close()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }
}
