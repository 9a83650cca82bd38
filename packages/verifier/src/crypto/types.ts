/** The two curves atproto allows for signing keys: secp256k1 ("k256", ES256K) and NIST P-256 (ES256). */
export type KeyType = 'secp256k1' | 'p256'

/** A public key from a did:key or Multikey: the curve and the 33-byte compressed point. */
export type ParsedKey = { type: KeyType; publicKey: Uint8Array }
