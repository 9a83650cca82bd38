import { describe, expect, it } from 'vitest'
import { tidTime } from './tid.js'

const S32 = '234567abcdefghijklmnopqrstuvwxyz'

/** A TID per the atproto spec: 64 bits, top bit 0, 53 bits of microseconds, 10 bits of clock id. */
function tid(micros: bigint, clockId: bigint): string {
  let n = (micros << 10n) | clockId
  let out = ''
  for (let i = 0; i < 13; i++) {
    out = S32[Number(n & 31n)] + out
    n >>= 5n
  }
  return out
}

describe('tidTime', () => {
  it('reads the microsecond timestamp of a TID, ignoring the clock id', () => {
    for (const ms of [0, 1_700_000_000_123, Date.now()]) {
      expect(tidTime(tid(BigInt(ms) * 1000n + 999n, 1023n))).toBe(new Date(ms).toISOString())
    }
    expect(tidTime('3jzfcijpj2z2a')).toMatch(/^2023-/)
  })

  it('is undefined for strings that are not TIDs', () => {
    for (const bad of ['', '3jzfcijpj2z2', '3jzfcijpj2z2aa', '3jzfcijpj2z21', 'ABCDEFGHIJKLM']) {
      expect(tidTime(bad)).toBeUndefined()
    }
  })
})
