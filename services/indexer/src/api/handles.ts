import type { HandleLookup } from './status.js'

/** Resolves one handle to a DID, or null. Must not throw (a thrown error counts as null). */
export type ResolveHandle = (handle: string) => Promise<string | null>

export interface HandleCacheOptions {
  resolve: ResolveHandle
  /** How long an answer (also a negative one) is reused. */
  ttlMs: number
  /** Entries kept; the oldest is dropped first. */
  maxEntries?: number
  /** Resolutions in flight at once, over all requests. */
  concurrency?: number
}

/**
 * Handle → DID with a TTL cache (negative answers too, so a flood of unknown handles costs one
 * lookup each per TTL), in-flight de-duplication, and a global cap on concurrent lookups.
 */
export function createHandleLookup(opts: HandleCacheOptions): HandleLookup {
  const maxEntries = opts.maxEntries ?? 100_000
  const cache = new Map<string, { did: string | null; expires: number }>()
  const inflight = new Map<string, Promise<string | null>>()
  let active = 0
  const waiting: Array<() => void> = []
  const limit = opts.concurrency ?? 16

  const acquire = async () => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve))
    active++
  }
  const release = () => {
    active--
    waiting.shift()?.()
  }

  const lookupOne = (handle: string): Promise<string | null> => {
    const hit = cache.get(handle)
    if (hit && hit.expires > Date.now()) return Promise.resolve(hit.did)
    let pending = inflight.get(handle)
    if (pending) return pending
    pending = (async () => {
      await acquire()
      try {
        return await opts.resolve(handle).catch(() => null)
      } finally {
        release()
      }
    })().then((did) => {
      inflight.delete(handle)
      cache.delete(handle)
      cache.set(handle, { did, expires: Date.now() + opts.ttlMs })
      if (cache.size > maxEntries) cache.delete(cache.keys().next().value as string)
      return did
    })
    inflight.set(handle, pending)
    return pending
  }

  return async (handles) => {
    const answers = await Promise.all(handles.map(lookupOne))
    return new Map(handles.map((h, i) => [h, answers[i] ?? null]))
  }
}
