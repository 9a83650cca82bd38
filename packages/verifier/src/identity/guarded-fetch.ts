import { Agent, fetch as undiciFetch } from 'undici'
import { concatBytes } from '../tlog/bytes.js'
import {
  FetchFailedError,
  FetchTimeoutError,
  ResponseTooLargeError,
  redactUrl,
  type SafeFetchError,
  SsrfBlockedError,
} from './fetch-errors.js'
import { defaultResolveHost, guardedLookup } from './guarded-lookup.js'
import { checkFetchUrl, DEFAULT_FETCH_TIMEOUT_MS, DEFAULT_MAX_RESPONSE_BYTES, type SafeFetchOptions } from './ssrf.js'

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])

/** Fetch's way of failing: a TypeError; its cause is the typed error. */
const failed = (cause: SafeFetchError): TypeError => new TypeError(`fetch failed: ${cause.message}`, { cause })

/**
 * A WHATWG-shaped `fetch` for XRPC clients (e.g. `@atproto/api`'s AtpAgent) that talk to a host
 * an attacker may name, such as the PDS of a DID document. The same guard as SafeFetcher: http(s)
 * only, https unless loopback is allowed, the address checked inside the connection (DNS
 * resolved once, by the guard), time and body capped. Redirects are refused (XRPC services do
 * not redirect). Any method and body, so procedures work too. A refused or failed request
 * rejects like fetch does, with a TypeError whose `cause` is the typed error
 * (SsrfBlockedError, FetchTimeoutError, ResponseTooLargeError, FetchFailedError).
 */
export class GuardedFetch {
  readonly #agent: Agent
  readonly #policy: { allowLoopback: boolean; allowPrivate: boolean }
  readonly #timeoutMs: number
  readonly #maxBytes: number

  constructor(options: Omit<SafeFetchOptions, 'maxRedirects'> = {}) {
    this.#policy = { allowLoopback: options.allowLoopback === true, allowPrivate: options.allowPrivate === true }
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS
    this.#maxBytes = options.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES
    this.#agent = new Agent({
      connect: { lookup: guardedLookup(options.resolveHost ?? defaultResolveHost, this.#policy) },
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
    })
  }

  readonly fetch: typeof globalThis.fetch = async (input, init) => {
    const request = typeof input === 'string' || input instanceof URL ? undefined : input
    const checked = checkFetchUrl(request ? request.url : input.toString(), this.#policy)
    if (!checked.ok) throw failed(checked.error)
    const url = checked.value
    const shown = redactUrl(url)
    const method = (init?.method ?? request?.method ?? 'GET').toUpperCase()
    const headers = new Headers(init?.headers ?? request?.headers)
    const body =
      method === 'GET' || method === 'HEAD'
        ? undefined
        : (init?.body ?? (request ? new Uint8Array(await request.arrayBuffer()) : undefined))
    const timeout = AbortSignal.timeout(this.#timeoutMs)
    const callerSignal = init?.signal ?? request?.signal
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout

    let res: Awaited<ReturnType<typeof undiciFetch>>
    try {
      res = await undiciFetch(url, {
        method,
        headers: [...headers],
        body: body as never,
        redirect: 'manual',
        dispatcher: this.#agent,
        signal,
      })
    } catch (cause) {
      throw failed(this.#failure(cause, shown, timeout, callerSignal))
    }
    if (REDIRECT_STATUSES.has(res.status)) {
      await res.body?.cancel().catch(() => {})
      throw failed(new FetchFailedError('BadRedirect', `redirects are not followed status=${res.status} url=${shown}`))
    }
    let bytes: Uint8Array<ArrayBuffer>
    try {
      bytes = await this.#read(res, shown)
    } catch (cause) {
      if (cause instanceof ResponseTooLargeError) throw failed(cause)
      throw failed(this.#failure(cause, shown, timeout, callerSignal))
    }
    const out = new Headers()
    for (const [name, value] of res.headers) {
      // The body below is the decoded one, whole: its old encoding and length no longer apply.
      if (name !== 'content-encoding' && name !== 'content-length') out.append(name, value)
    }
    const nullBody = res.status === 204 || res.status === 205 || res.status === 304 || method === 'HEAD'
    return new Response(nullBody ? null : bytes, { status: res.status, statusText: res.statusText, headers: out })
  }

  async #read(res: Awaited<ReturnType<typeof undiciFetch>>, shown: string): Promise<Uint8Array<ArrayBuffer>> {
    const tooLarge = () =>
      new ResponseTooLargeError(this.#maxBytes, `response too large max_bytes=${this.#maxBytes} url=${shown}`)
    const declared = Number(res.headers.get('content-length'))
    if (Number.isFinite(declared) && declared > this.#maxBytes) {
      await res.body?.cancel().catch(() => {})
      throw tooLarge()
    }
    if (!res.body) return new Uint8Array(0)
    const chunks: Uint8Array[] = []
    let size = 0
    for await (const chunk of res.body) {
      size += chunk.length
      if (size > this.#maxBytes) {
        await res.body.cancel().catch(() => {})
        throw tooLarge()
      }
      chunks.push(chunk)
    }
    return concatBytes(...chunks)
  }

  #failure(cause: unknown, shown: string, timeout: AbortSignal, callerSignal: AbortSignal | undefined): SafeFetchError {
    for (let c: unknown = cause, depth = 0; depth < 8 && c instanceof Error; depth++, c = c.cause) {
      if (c instanceof SsrfBlockedError) return c
    }
    if (timeout.aborted) {
      return new FetchTimeoutError(this.#timeoutMs, `request timed out timeout_ms=${this.#timeoutMs} url=${shown}`, {
        cause,
      })
    }
    if (callerSignal?.aborted) return new FetchFailedError('Aborted', `request aborted url=${shown}`, { cause })
    return new FetchFailedError('Network', `request failed url=${shown}`, { cause })
  }

  close(): Promise<void> {
    return this.#agent.close()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }
}
