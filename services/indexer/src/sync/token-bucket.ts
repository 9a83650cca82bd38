import { sleep } from '../work/sleep.js'

export interface RateLimitOptions {
  /** Tokens added per second (requests per second, sustained). */
  ratePerSecond: number
  /** Bucket size (requests in a burst). */
  burst: number
  /** Hosts remembered; full (idle) buckets are forgotten past this. Default 10 000. */
  maxHosts?: number
  now?: () => number
}

interface Bucket {
  tokens: number
  at: number
}

/**
 * A token bucket per host. `acquire` takes a token, waiting when the host's bucket is empty;
 * concurrent callers reserve in turn (the balance may go negative), so they are served in
 * order at the sustained rate.
 */
export class HostRateLimiter {
  readonly #rate: number
  readonly #burst: number
  readonly #maxHosts: number
  readonly #now: () => number
  readonly #buckets = new Map<string, Bucket>()

  constructor(opts: RateLimitOptions) {
    this.#rate = opts.ratePerSecond / 1000
    this.#burst = opts.burst
    this.#maxHosts = opts.maxHosts ?? 10_000
    this.#now = opts.now ?? Date.now
  }

  /** Takes a token for host; resolves false (the token given back) when the signal aborts first. */
  async acquire(host: string, signal?: AbortSignal): Promise<boolean> {
    const now = this.#now()
    let bucket = this.#buckets.get(host)
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxHosts) this.#evict(now)
      bucket = { tokens: this.#burst, at: now }
      this.#buckets.set(host, bucket)
    }
    bucket.tokens = Math.min(this.#burst, bucket.tokens + (now - bucket.at) * this.#rate)
    bucket.at = now
    bucket.tokens -= 1
    if (bucket.tokens >= 0) return true
    const waited = await sleep(Math.ceil(-bucket.tokens / this.#rate), signal)
    if (!waited) bucket.tokens += 1
    return waited
  }

  /** Hosts currently remembered. */
  get size(): number {
    return this.#buckets.size
  }

  #evict(now: number): void {
    for (const [host, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.at) * this.#rate >= this.#burst) this.#buckets.delete(host)
    }
    // Every host busy: forget the oldest (Map order is insertion order).
    if (this.#buckets.size >= this.#maxHosts) {
      const first = this.#buckets.keys().next()
      if (!first.done) this.#buckets.delete(first.value)
    }
  }
}
