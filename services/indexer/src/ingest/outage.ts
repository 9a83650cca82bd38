import { FetchFailedError, FetchTimeoutError, HttpStatusError, ResolveError } from '@donottrain/verifier'

/**
 * True when an error (or one of its causes) says a service we depend on is unreachable for now
 * — a DID directory or PDS timing out, refusing connections, or answering 5xx / 429 / 408 —
 * rather than that the input is wrong. Such a failure is retried later, not judged.
 */
export function isOutage(error: unknown): boolean {
  let current: unknown = error
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    if (current instanceof FetchTimeoutError) return true
    if (current instanceof FetchFailedError) return current.code === 'Network'
    if (current instanceof HttpStatusError) {
      const { status } = current
      return status === 408 || status === 429 || (status >= 500 && status !== 501)
    }
    if (current instanceof ResolveError && current.code !== 'FetchFailed') return false
    current = current.cause
  }
  return false
}
