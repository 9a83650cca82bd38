import { err, ok, type Result } from '@donottrain/lexicon'
import {
  FetchFailedError,
  HttpStatusError,
  ResponseTooLargeError,
  type SafeFetch,
  type SafeFetchError,
  SsrfBlockedError,
} from '@donottrain/verifier'
import { isOutage } from '../ingest/outage.js'
import { SyncError } from './errors.js'
import type { HostRateLimiter } from './token-bucket.js'

/** Largest JSON answer read (a listing page is far smaller). */
export const MAX_JSON_BYTES = 4 * 1024 * 1024
export const CAR_TYPE = 'application/vnd.ipld.car'

export interface XrpcClient {
  fetch: SafeFetch
  limiter: HostRateLimiter
  signal?: AbortSignal
}

export type Params = Record<string, string | number | undefined>

/** The URL of an XRPC query on a host (`base` is the service's origin or base URL). */
export function xrpcUrl(base: string, nsid: string, params: Params): URL {
  const url = new URL(`/xrpc/${nsid}`, base)
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, String(value))
  return url
}

/** GETs an XRPC query through the SSRF-guarded fetch, after a token of the host's rate limit. */
export async function xrpcGet(
  client: XrpcClient,
  base: string,
  nsid: string,
  params: Params,
  opts: { accept: string; maxBytes: number },
): Promise<Result<Uint8Array, SyncError>> {
  let url: URL
  try {
    url = xrpcUrl(base, nsid, params)
  } catch (cause) {
    return err(new SyncError('Refused', `not a service url base=${base.slice(0, 200)}`, { cause }))
  }
  if (!(await client.limiter.acquire(url.host, client.signal))) {
    return err(new SyncError('Aborted', `aborted method=${nsid}`))
  }
  const res = await client.fetch(url, { accept: opts.accept, maxBytes: opts.maxBytes, signal: client.signal })
  if (!res.ok) return err(fromFetchError(res.error, nsid, client.signal))
  return ok(res.value.body)
}

/** GETs an XRPC query and parses its JSON object answer. */
export async function xrpcJson(
  client: XrpcClient,
  base: string,
  nsid: string,
  params: Params,
): Promise<Result<Record<string, unknown>, SyncError>> {
  const res = await xrpcGet(client, base, nsid, params, { accept: 'application/json', maxBytes: MAX_JSON_BYTES })
  if (!res.ok) return res
  let body: unknown
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(res.value))
  } catch (cause) {
    return err(new SyncError('BadResponse', `answer is not json method=${nsid}`, { cause }))
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return err(new SyncError('BadResponse', `answer is not a json object method=${nsid}`))
  }
  return ok(body as Record<string, unknown>)
}

function fromFetchError(error: SafeFetchError, nsid: string, signal?: AbortSignal): SyncError {
  const message = `${error.message} method=${nsid}`
  if (signal?.aborted || (error instanceof FetchFailedError && error.code === 'Aborted')) {
    return new SyncError('Aborted', message, { cause: error })
  }
  if (isOutage(error)) return new SyncError('Unavailable', message, { cause: error })
  if (error instanceof HttpStatusError)
    return new SyncError('HttpError', message, { cause: error, status: error.status })
  if (error instanceof ResponseTooLargeError) return new SyncError('TooLarge', message, { cause: error })
  if (error instanceof SsrfBlockedError) return new SyncError('Refused', message, { cause: error })
  return new SyncError('BadResponse', message, { cause: error }) // redirects gone wrong
}
