import { hash } from 'node:crypto'
import { createRequire } from 'node:module'

/** The two calls used from the `secp256k1` package's native (libsecp256k1) binding. */
export type NativeSecp256k1 = {
  ecdsaVerify(sig: Uint8Array, msg32: Uint8Array, publicKey: Uint8Array): boolean
  publicKeyVerify(publicKey: Uint8Array): boolean
}

let native: NativeSecp256k1 | null | undefined

/**
 * Loads libsecp256k1 through the `secp256k1` package on first use, or returns null when the
 * binding cannot be loaded. It requires 'secp256k1/bindings' rather than the package's main entry,
 * which would silently fall back to the `elliptic` JS library; the fallback here is @noble/curves.
 */
export function loadNativeSecp256k1(): NativeSecp256k1 | null {
  if (native === undefined) {
    try {
      const loaded = createRequire(import.meta.url)('secp256k1/bindings') as Partial<NativeSecp256k1>
      native =
        typeof loaded.ecdsaVerify === 'function' && typeof loaded.publicKeyVerify === 'function'
          ? (loaded as NativeSecp256k1)
          : null
    } catch {
      native = null
    }
  }
  return native
}

/** Whether secp256k1 verification runs on the native libsecp256k1 binding (else @noble/curves). */
export const hasNativeSecp256k1 = (): boolean => loadNativeSecp256k1() !== null

/** ECDSA secp256k1 / SHA-256 through libsecp256k1, which itself rejects high-S signatures. */
export function verifySecp256k1Native(
  native: NativeSecp256k1,
  publicKey: Uint8Array,
  data: Uint8Array,
  sig: Uint8Array,
): boolean {
  try {
    return native.ecdsaVerify(sig, hash('sha256', data, 'buffer'), publicKey)
  } catch {
    // the binding throws when r or s overflows the order or the key is not a point
    return false
  }
}
