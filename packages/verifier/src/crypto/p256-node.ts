import { createPublicKey, type KeyObject, verify } from 'node:crypto'
import { BoundedCache } from './bounded-cache.js'

/** DER SubjectPublicKeyInfo header for an id-ecPublicKey on prime256v1 with a 33-byte point. */
const SPKI_PREFIX = Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex')
const COMPRESSED_POINT_LENGTH = 33
const KEY_CACHE_SIZE = 10_000

// null marks a key OpenSSL rejected, so a bad key is not parsed again on every call.
const keyObjects = new BoundedCache<string, KeyObject | null>(KEY_CACHE_SIZE)

/**
 * Returns the node:crypto KeyObject for a compressed P-256 point, or null when the bytes are not a
 * point on the curve. Building one costs about as much as a verification, so they are cached.
 */
export function p256KeyObject(publicKey: Uint8Array): KeyObject | null {
  if (publicKey.length !== COMPRESSED_POINT_LENGTH) return null
  const cacheKey = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.length).toString('latin1')
  const cached = keyObjects.get(cacheKey)
  if (cached !== undefined) return cached
  let keyObject: KeyObject | null
  try {
    keyObject = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' })
  } catch {
    keyObject = null
  }
  keyObjects.set(cacheKey, keyObject)
  return keyObject
}

/**
 * ECDSA P-256 / SHA-256 through OpenSSL. The signature is 64 bytes r || s; OpenSSL accepts
 * high-S signatures, so the caller must have rejected them already.
 */
export function verifyP256Node(publicKey: Uint8Array, data: Uint8Array, sig: Uint8Array): boolean {
  const key = p256KeyObject(publicKey)
  if (key === null) return false
  try {
    return verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, sig)
  } catch {
    return false
  }
}
