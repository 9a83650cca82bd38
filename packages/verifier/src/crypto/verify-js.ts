import { p256 } from '@noble/curves/nist.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { sha256 } from '@noble/hashes/sha2.js'
import type { KeyType } from './types.js'

const curves = { secp256k1, p256 } as const

/** ECDSA / SHA-256 in pure JS (@noble/curves): compact 64-byte signature, low-S only. */
export function verifyJs(type: KeyType, publicKey: Uint8Array, data: Uint8Array, sig: Uint8Array): boolean {
  try {
    return curves[type].verify(sig, sha256(data), publicKey, { prehash: false, lowS: true, format: 'compact' })
  } catch {
    return false
  }
}

/** Whether the bytes are a point on the curve (any SEC 1 encoding @noble/curves reads). */
export function isPointJs(type: KeyType, publicKey: Uint8Array): boolean {
  try {
    curves[type].Point.fromBytes(publicKey)
    return true
  } catch {
    return false
  }
}
