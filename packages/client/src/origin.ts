import { normalizeHandle, parseOrigin } from '@donottrain/lexicon'
import { InvalidOriginError, OriginNotBoundError } from './errors.js'

/** Largest /.well-known/atproto-did body read; a DID is far shorter. */
export const WELL_KNOWN_MAX_BYTES = 1024
const DEFAULT_TIMEOUT_MS = 5000
const LOOPBACK_HTTP_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/

export interface OriginCheckOptions {
  /** fetch to use (default globalThis.fetch). */
  fetch?: typeof globalThis.fetch
  /** Whole-request timeout in milliseconds (default 5000). */
  timeoutMs?: number
  /**
   * Accept `http://localhost:<port>` / `http://127.0.0.1:<port>` origins. For tests only: such
   * an origin can be checked but never published (the lexicon allows https origins only).
   */
  allowHttpLoopback?: boolean
}

export interface OriginBinding {
  origin: string
  /** 'handle': the origin's host is the account's handle; 'well-known': it serves the DID. */
  via: 'handle' | 'well-known'
}

/**
 * Checks that a web origin belongs to an account: its host is the account's (verified) handle,
 * or GET <origin>/.well-known/atproto-did answers 200 with the account's DID as its first line.
 * The request is bounded: one timeout for the whole exchange and at most 1 KiB of body.
 */
export async function checkOriginBinding(
  origin: string,
  account: { did: string; handle?: string | undefined },
  opts: OriginCheckOptions = {},
): Promise<OriginBinding> {
  const { canonical, host } = parse(origin, opts.allowHttpLoopback === true)
  if (account.handle && normalizeHandle(account.handle) === host) return { origin: canonical, via: 'handle' }
  const url = `${canonical}/.well-known/atproto-did`
  const doFetch = opts.fetch ?? globalThis.fetch
  const signal = AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS)
  let body: string
  try {
    const res = await doFetch(url, { signal, redirect: 'follow', headers: { accept: 'text/plain' } })
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => {})
      throw new OriginNotBoundError('status', `origin well-known did answered status=${res.status} url=${url}`)
    }
    body = await readCapped(res, WELL_KNOWN_MAX_BYTES, url)
  } catch (err) {
    if (err instanceof OriginNotBoundError) throw err
    throw new OriginNotBoundError('unreachable', `origin unreachable url=${url} reason=${reason(err)}`, { cause: err })
  }
  const served = (body.split('\n')[0] ?? '').trim()
  if (served !== account.did) {
    throw new OriginNotBoundError(
      'mismatch',
      `origin is not bound to the account origin=${canonical} handle=${account.handle ?? ''} did=${account.did} served=${JSON.stringify(served.slice(0, 100))}`,
    )
  }
  return { origin: canonical, via: 'well-known' }
}

function parse(origin: string, allowHttpLoopback: boolean): { canonical: string; host: string } {
  if (allowHttpLoopback && LOOPBACK_HTTP_ORIGIN.test(origin)) {
    const url = new URL(origin)
    return { canonical: url.origin, host: url.hostname }
  }
  const parsed = parseOrigin(origin)
  if (!parsed.ok) throw new InvalidOriginError(parsed.error.message, { cause: parsed.error })
  return { canonical: parsed.value.origin, host: parsed.value.host }
}

async function readCapped(res: Response, max: number, url: string): Promise<string> {
  const reader = res.body?.getReader()
  if (!reader) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > max) {
      await reader.cancel().catch(() => {})
      throw new OriginNotBoundError('too-large', `origin well-known did body too large max=${max} url=${url}`)
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function reason(err: unknown): string {
  const e = err as { name?: string; cause?: { code?: string } }
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout'
  return e?.cause?.code ?? e?.name ?? 'network'
}
