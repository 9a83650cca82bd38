import { loadNativeSecp256k1 } from './native-secp256k1.js'
import { p256KeyObject } from './p256-node.js'
import type { KeyType, ParsedKey } from './types.js'
import { isPointJs } from './verify-js.js'

/** Length of a SEC 1 compressed point on a 256-bit curve: 0x02 or 0x03, then x. */
export const COMPRESSED_KEY_LENGTH = 33

export const isKeyType = (type: unknown): type is KeyType => type === 'secp256k1' || type === 'p256'

/** Whether bytes have the shape of a compressed point (not whether the point is on the curve). */
export function isCompressedPointShape(publicKey: Uint8Array): boolean {
  const prefix = publicKey[0]
  return publicKey.length === COMPRESSED_KEY_LENGTH && (prefix === 0x02 || prefix === 0x03)
}

/** Whether key is a supported curve with a 33-byte compressed point; checks the shape only. */
export const isCompressedKey = (key: ParsedKey): boolean =>
  isKeyType(key?.type) && key.publicKey instanceof Uint8Array && isCompressedPointShape(key.publicKey)

/**
 * Whether a compressed point lies on the curve, using the fastest backend at hand: libsecp256k1,
 * or OpenSSL for P-256 (which also fills the KeyObject cache used by verification).
 */
export function isOnCurve(type: KeyType, publicKey: Uint8Array): boolean {
  if (!isCompressedPointShape(publicKey)) return false
  if (type === 'p256') return p256KeyObject(publicKey) !== null
  const native = loadNativeSecp256k1()
  if (native === null) return isPointJs(type, publicKey)
  try {
    return native.publicKeyVerify(publicKey)
  } catch {
    return false
  }
}
