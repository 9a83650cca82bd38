import type { KeyType } from './types.js'

/** Length of a compact (r || s) ECDSA signature over a 256-bit curve. */
export const COMPACT_SIGNATURE_LENGTH = 64

const fromHex = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'))

/** The group order n of each curve, big-endian (SEC 2 section 2.4.1; FIPS 186-5 / SEC 2 secp256r1). */
export const CURVE_ORDER: Readonly<Record<KeyType, Uint8Array>> = {
  secp256k1: fromHex('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141'),
  p256: fromHex('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'),
}

/** floor(n / 2): the largest s a low-S signature may have. */
const HALF_ORDER: Readonly<Record<KeyType, Uint8Array>> = {
  secp256k1: fromHex('7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0'),
  p256: fromHex('7fffffff800000007fffffffffffffffde737d56d38bcf4279dce5617e3192a8'),
}

/** Compares bytes[offset, offset + 32) with a 32-byte big-endian number. */
function compare32(bytes: Uint8Array, offset: number, other: Uint8Array): number {
  for (let i = 0; i < 32; i++) {
    const diff = (bytes[offset + i] ?? 0) - (other[i] ?? 0)
    if (diff !== 0) return diff
  }
  return 0
}

function isZero32(bytes: Uint8Array, offset: number): boolean {
  for (let i = 0; i < 32; i++) if (bytes[offset + i] !== 0) return false
  return true
}

/**
 * Whether sig is what atproto accepts before any curve arithmetic: 64 bytes r || s (not DER),
 * 0 < r < n and 0 < s <= n/2 (low-S, so each signature has one valid encoding).
 */
export function isCompactLowS(type: KeyType, sig: Uint8Array): boolean {
  if (sig.length !== COMPACT_SIGNATURE_LENGTH) return false
  if (isZero32(sig, 0) || compare32(sig, 0, CURVE_ORDER[type]) >= 0) return false
  return !isZero32(sig, 32) && compare32(sig, 32, HALF_ORDER[type]) <= 0
}
