import { describe, expect, it } from 'vitest'
import { HostRateLimiter } from './token-bucket.js'

describe('HostRateLimiter', () => {
  it('serves a burst at once, then makes the next caller wait; hosts are independent', async () => {
    let now = 1_000_000
    const limiter = new HostRateLimiter({ ratePerSecond: 1, burst: 2, now: () => now })
    expect(await limiter.acquire('a.example')).toBe(true)
    expect(await limiter.acquire('a.example')).toBe(true)
    const abort = new AbortController()
    let settled = false
    const third = limiter.acquire('a.example', abort.signal).then((v) => {
      settled = true
      return v
    })
    expect(await limiter.acquire('b.example')).toBe(true)
    await new Promise((resolve) => setImmediate(resolve))
    expect(settled).toBe(false)
    abort.abort()
    expect(await third).toBe(false)
    // The aborted caller gave its reservation back: after a second the bucket has one token again.
    now += 1000
    expect(await limiter.acquire('a.example')).toBe(true)
  })

  it('forgets idle hosts past its size', async () => {
    const limiter = new HostRateLimiter({ ratePerSecond: 1000, burst: 5, maxHosts: 3 })
    for (const host of ['a', 'b', 'c', 'd', 'e']) await limiter.acquire(host)
    expect(limiter.size).toBeLessThanOrEqual(3)
  })
})
