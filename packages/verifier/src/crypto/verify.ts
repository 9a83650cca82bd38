import { parseDidKey } from './did-key.js'
import { loadNativeSecp256k1, verifySecp256k1Native } from './native-secp256k1.js'
import { verifyP256Node } from './p256-node.js'
import { isCompressedKey } from './public-key.js'
import { isCompactLowS } from './signature-format.js'
import type { ParsedKey } from './types.js'
import { verifyJs } from './verify-js.js'

/**
 * 'auto' (default): P-256 through node:crypto, secp256k1 through the native libsecp256k1 binding
 * when it loads, else @noble/curves. 'js': @noble/curves for both curves.
 */
export type VerifyImpl = 'auto' | 'js'

export type VerifyOptions = { impl?: VerifyImpl }

/**
 * Verifies an atproto signature: ECDSA over SHA-256(data), the signature 64 bytes r || s and
 * low-S, the key a 33-byte compressed point. Anything else (DER or high-S signatures, bad keys,
 * wrong lengths) returns false; it never throws.
 */
export function verifySignature(key: ParsedKey, data: Uint8Array, sig: Uint8Array, opts?: VerifyOptions): boolean {
  if (!isCompressedKey(key) || !(data instanceof Uint8Array) || !(sig instanceof Uint8Array)) return false
  // checked here for every backend: OpenSSL (P-256) would accept high-S signatures
  if (!isCompactLowS(key.type, sig)) return false
  if (opts?.impl === 'js') return verifyJs(key.type, key.publicKey, data, sig)
  if (key.type === 'p256') return verifyP256Node(key.publicKey, data, sig)
  const native = loadNativeSecp256k1()
  if (native === null) return verifyJs(key.type, key.publicKey, data, sig)
  return verifySecp256k1Native(native, key.publicKey, data, sig)
}

/**
 * verifySignature with a did:key or Multikey string; false when it does not parse. It parses on
 * every call, so callers verifying many signatures by one key should parse once.
 */
export function verifyDidKeySignature(
  didKey: string,
  data: Uint8Array,
  sig: Uint8Array,
  opts?: VerifyOptions,
): boolean {
  const parsed = parseDidKey(didKey)
  return parsed.ok && verifySignature(parsed.value, data, sig, opts)
}
