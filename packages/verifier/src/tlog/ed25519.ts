import { getPublicKeyAsync, signAsync, verifyAsync } from '@noble/ed25519'
import { concatBytes } from './bytes.js'

/**
 * Ed25519 through node:crypto (native, with a cached KeyObject) where it can be loaded, else
 * through @noble/ed25519's async API (WebCrypto SHA-512, no global hash setup). Both follow
 * RFC 8032; noble is run with zip215=false to match OpenSSL's strict verification.
 */
export type Ed25519Backend = 'auto' | 'noble'

type NodeCrypto = typeof import('node:crypto')
type KeyObject = import('node:crypto').KeyObject

// DER prefixes wrapping a raw 32-byte Ed25519 key (RFC 8410).
const SPKI_PREFIX = Uint8Array.of(0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00)
const PKCS8_PREFIX = Uint8Array.of(
  0x30,
  0x2e,
  0x02,
  0x01,
  0x00,
  0x30,
  0x05,
  0x06,
  0x03,
  0x2b,
  0x65,
  0x70,
  0x04,
  0x22,
  0x04,
  0x20,
)

let nodeCrypto: Promise<NodeCrypto | undefined> | undefined

function loadNodeCrypto(): Promise<NodeCrypto | undefined> {
  nodeCrypto ??= import('node:crypto').then(
    (m) => (typeof m.verify === 'function' && typeof m.createPublicKey === 'function' ? m : undefined),
    () => undefined,
  )
  return nodeCrypto
}

/** A public key with its node:crypto KeyObject made once, on first use. */
export class Ed25519PublicKey {
  readonly bytes: Uint8Array
  #key: KeyObject | null | undefined

  constructor(bytes: Uint8Array) {
    if (bytes.length !== 32) throw new TypeError(`ed25519 public key must be 32 bytes length=${bytes.length}`)
    this.bytes = bytes.slice()
  }

  async verify(message: Uint8Array, signature: Uint8Array, backend: Ed25519Backend = 'auto'): Promise<boolean> {
    if (signature.length !== 64) return false
    const crypto = backend === 'auto' ? await loadNodeCrypto() : undefined
    if (crypto && this.#key !== null) {
      try {
        this.#key ??= crypto.createPublicKey({
          key: Buffer.from(concatBytes(SPKI_PREFIX, this.bytes)),
          format: 'der',
          type: 'spki',
        })
        return crypto.verify(null, message, this.#key, signature)
      } catch {
        this.#key = null // OpenSSL refused the key: let noble decide, as it would everywhere else
      }
    }
    try {
      return await verifyAsync(signature, message, this.bytes, { zip215: false })
    } catch {
      return false
    }
  }
}

/** A private key from its 32-byte RFC 8032 seed. */
export class Ed25519PrivateKey {
  readonly #seed: Uint8Array
  #key: KeyObject | undefined

  constructor(seed: Uint8Array) {
    if (seed.length !== 32) throw new TypeError(`ed25519 seed must be 32 bytes length=${seed.length}`)
    this.#seed = seed.slice()
  }

  publicKey(): Promise<Uint8Array> {
    return getPublicKeyAsync(this.#seed)
  }

  async sign(message: Uint8Array, backend: Ed25519Backend = 'auto'): Promise<Uint8Array> {
    const crypto = backend === 'auto' ? await loadNodeCrypto() : undefined
    if (crypto) {
      this.#key ??= crypto.createPrivateKey({
        key: Buffer.from(concatBytes(PKCS8_PREFIX, this.#seed)),
        format: 'der',
        type: 'pkcs8',
      })
      return new Uint8Array(crypto.sign(null, message, this.#key))
    }
    return signAsync(message, this.#seed)
  }
}
