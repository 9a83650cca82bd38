/**
 * Per-client token buckets: `perMinute` requests per minute, bursting to the same number.
 * Buckets idle for a full refill are forgotten, so memory follows the active clients.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>()
  private lastSweep = Date.now()

  constructor(
    private readonly perMinute: number,
    private readonly maxClients = 100_000,
  ) {}

  /** Takes one token for `key`; returns the seconds to wait when none is left, else 0. */
  take(key: string, now = Date.now()): number {
    if (this.perMinute <= 0) return 0
    const rate = this.perMinute / 60_000
    let b = this.buckets.get(key)
    if (!b) {
      if (this.buckets.size >= this.maxClients) this.sweep(now, true)
      b = { tokens: this.perMinute, at: now }
      this.buckets.set(key, b)
    } else {
      b.tokens = Math.min(this.perMinute, b.tokens + (now - b.at) * rate)
      b.at = now
    }
    if (now - this.lastSweep > 60_000) this.sweep(now, false)
    if (b.tokens >= 1) {
      b.tokens -= 1
      return 0
    }
    return Math.ceil((1 - b.tokens) / rate / 1000)
  }

  private sweep(now: number, force: boolean): void {
    this.lastSweep = now
    for (const [key, b] of this.buckets) if (now - b.at > 60_000) this.buckets.delete(key)
    // Still full (a flood of distinct clients): drop the oldest half rather than grow.
    if (force && this.buckets.size >= this.maxClients) {
      let n = Math.floor(this.buckets.size / 2)
      for (const key of this.buckets.keys()) {
        if (n-- <= 0) break
        this.buckets.delete(key)
      }
    }
  }
}
