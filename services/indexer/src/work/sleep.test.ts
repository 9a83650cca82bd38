import { describe, expect, it } from 'vitest'
import { backoffMs, raceAbort, sleep } from './sleep.js'

describe('backoffMs', () => {
  it('doubles from min, caps at max, jitters in [0.5, 1)', () => {
    const top = () => 1 - Number.EPSILON
    expect(backoffMs(1, 1000, 60_000, top)).toBe(1000)
    expect(backoffMs(3, 1000, 60_000, () => 0)).toBe(2000)
    expect(backoffMs(3, 1000, 60_000, top)).toBe(4000)
    expect(backoffMs(40, 1000, 60_000, top)).toBe(60_000)
    expect(backoffMs(40, 1000, 60_000, () => 0)).toBe(30_000)
  })
})

describe('sleep and raceAbort', () => {
  it('end early on abort', async () => {
    const abort = new AbortController()
    const slept = sleep(60_000, abort.signal)
    const raced = raceAbort(new Promise<string>(() => {}), abort.signal, 'fallback')
    abort.abort()
    expect(await slept).toBe(false)
    expect(await raced).toBe('fallback')
    expect(await raceAbort(Promise.resolve('value'), new AbortController().signal, 'fallback')).toBe('value')
  })
})
