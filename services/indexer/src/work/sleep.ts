/** Waits ms; resolves early (to false) when the signal aborts, else to true. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve(true)
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      resolve(false)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** Exponential backoff with jitter: min·2^(attempt-1), capped at max, times a factor in [0.5, 1). */
export function backoffMs(attempt: number, minMs: number, maxMs: number, random = Math.random): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.min(attempt - 1, 30))
  return Math.round(base * (0.5 + random() / 2))
}

/** Resolves with `p`, or with `fallback` as soon as the signal aborts (p is then left to settle alone). */
export function raceAbort<T>(p: Promise<T>, signal: AbortSignal, fallback: T): Promise<T> {
  if (signal.aborted) {
    p.catch(() => {})
    return Promise.resolve(fallback)
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => resolve(fallback)
    signal.addEventListener('abort', onAbort, { once: true })
    p.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}
