import { p256 } from '@noble/curves/nist.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { describe, expect, it } from 'vitest'
import { CURVE_ORDER, isCompactLowS } from './signature-format.js'

const curves = { secp256k1, p256 } as const
const to32 = (value: bigint): Uint8Array => Uint8Array.from(Buffer.from(value.toString(16).padStart(64, '0'), 'hex'))
const compact = (r: bigint, s: bigint): Uint8Array => Uint8Array.from([...to32(r), ...to32(s)])

describe('isCompactLowS', () => {
  describe.each(['secp256k1', 'p256'] as const)('%s', (type) => {
    const n = curves[type].Point.Fn.ORDER

    it('uses the curve order', () => {
      expect(CURVE_ORDER[type]).toEqual(to32(n))
    })

    it('accepts s up to floor(n/2) and rejects above it', () => {
      expect(isCompactLowS(type, compact(1n, n / 2n))).toBe(true)
      expect(isCompactLowS(type, compact(n - 1n, 1n))).toBe(true)
      expect(isCompactLowS(type, compact(1n, n / 2n + 1n))).toBe(false)
      expect(isCompactLowS(type, compact(1n, n - 1n))).toBe(false)
    })

    it('rejects zero or out-of-range r and s, and lengths other than 64', () => {
      expect(isCompactLowS(type, compact(0n, 1n))).toBe(false)
      expect(isCompactLowS(type, compact(1n, 0n))).toBe(false)
      expect(isCompactLowS(type, compact(n, 1n))).toBe(false)
      expect(isCompactLowS(type, compact(2n ** 256n - 1n, 1n))).toBe(false)
      expect(isCompactLowS(type, compact(1n, 1n).subarray(1))).toBe(false)
      expect(isCompactLowS(type, Uint8Array.from([...compact(1n, 1n), 0]))).toBe(false)
    })
  })
})
