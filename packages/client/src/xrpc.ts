import { toClientError, type XrpcContext } from './xrpc-errors.js'

/** Default timeout for one request to a PDS. */
export const DEFAULT_TIMEOUT_MS = 15_000

/** A fetch that gives up after `timeoutMs` (and still honours the caller's own signal). */
export function timedFetch(base: typeof globalThis.fetch, timeoutMs: number): typeof globalThis.fetch {
  return (input, init) => {
    const signals = [AbortSignal.timeout(timeoutMs)]
    if (init?.signal) signals.push(init.signal)
    else if (input instanceof Request) signals.push(input.signal)
    return base(input, { ...init, signal: AbortSignal.any(signals) })
  }
}

/** Runs one XRPC call and turns what it throws into the client's typed errors. */
export async function call<T>(service: string, context: XrpcContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    throw toClientError(err, service, context)
  }
}

/** Runs one XRPC call and returns undefined when the PDS says the record does not exist. */
export async function callOrMissing<T>(service: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn()
  } catch (err) {
    if ((err as { error?: string }).error === 'RecordNotFound') return undefined
    throw toClientError(err, service, 'read')
  }
}
