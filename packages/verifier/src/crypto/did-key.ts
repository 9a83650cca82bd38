import type { Result } from '@donottrain/lexicon'
import { decodeBase58btc, encodeBase58btc } from './base58.js'
import { COMPRESSED_KEY_LENGTH, isCompressedKey, isKeyType, isOnCurve } from './public-key.js'
import type { KeyType, ParsedKey } from './types.js'

export const DID_KEY_PREFIX = 'did:key:'

/** Multicodec varint prefixes of the two atproto key types (secp256k1-pub 0xe7, p256-pub 0x1200). */
const CODEC_PREFIX: Readonly<Record<KeyType, readonly [number, number]>> = {
  secp256k1: [0xe7, 0x01],
  p256: [0x80, 0x24],
}

// A compressed key is 35 bytes, 48 or 49 base58 characters; the bound keeps the quadratic
// base58 decoder away from hostile input.
const MAX_MULTIKEY_LENGTH = 128

export type DidKeyErrorCode =
  | 'InvalidPrefix' // neither 'did:key:z…' nor a bare base58btc multibase 'z…'
  | 'InvalidMultibase' // not base58btc text, or too long to be a key
  | 'UnsupportedKeyType' // a multicodec other than secp256k1-pub or p256-pub (e.g. ed25519-pub)
  | 'InvalidKeyLength' // not a 33-byte compressed point (atproto did:keys are never uncompressed)
  | 'InvalidPoint' // 33 bytes, but not a compressed point on the curve

export class InvalidDidKeyError extends Error {
  override name = 'InvalidDidKeyError'
  constructor(
    readonly code: DidKeyErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

const fail = (code: DidKeyErrorCode, message: string, cause?: unknown): { ok: false; error: InvalidDidKeyError } => ({
  ok: false,
  error: new InvalidDidKeyError(code, message, cause === undefined ? undefined : { cause }),
})

const show = (input: string): string => JSON.stringify(input.length > 80 ? `${input.slice(0, 80)}…` : input)

/** Reads the multicodec varint at the start of bytes, for error messages. */
function readCodec(bytes: Uint8Array): string {
  let codec = 0
  for (let i = 0; i < Math.min(bytes.length, 4); i++) {
    const byte = bytes[i] ?? 0
    codec += (byte & 0x7f) * 2 ** (7 * i)
    if ((byte & 0x80) === 0) return `0x${codec.toString(16)}`
  }
  return 'unreadable'
}

function keyType(bytes: Uint8Array): KeyType | undefined {
  for (const type of ['secp256k1', 'p256'] as const) {
    const [first, second] = CODEC_PREFIX[type]
    if (bytes[0] === first && bytes[1] === second) return type
  }
  return undefined
}

/**
 * Parses an atproto public key from a did:key ('did:key:zQ3s…', 'did:key:zDna…') or a bare
 * Multikey ('zQ3s…', the `publicKeyMultibase` of a Multikey verification method): base58btc,
 * multicodec secp256k1-pub or p256-pub, then a 33-byte compressed point that must lie on the curve.
 */
export function parseDidKey(input: string): Result<ParsedKey, InvalidDidKeyError> {
  if (typeof input !== 'string') return fail('InvalidPrefix', `did:key must be a string type=${typeof input}`)
  const multikey = input.startsWith(DID_KEY_PREFIX) ? input.slice(DID_KEY_PREFIX.length) : input
  if (!multikey.startsWith('z')) {
    return input.startsWith(DID_KEY_PREFIX)
      ? fail('InvalidMultibase', `did:key is not base58btc multibase input=${show(input)}`)
      : fail('InvalidPrefix', `expected did:key:z… or a base58btc multikey input=${show(input)}`)
  }
  if (multikey.length > MAX_MULTIKEY_LENGTH) {
    return fail('InvalidMultibase', `multikey too long length=${multikey.length} max=${MAX_MULTIKEY_LENGTH}`)
  }
  let bytes: Uint8Array
  try {
    bytes = decodeBase58btc(multikey)
  } catch (cause) {
    return fail('InvalidMultibase', `multikey is not valid base58btc input=${show(input)}`, cause)
  }
  if (bytes.length === 0) return fail('InvalidMultibase', `multikey is empty input=${show(input)}`)
  const type = keyType(bytes)
  if (type === undefined) {
    return fail('UnsupportedKeyType', `unsupported multikey codec codec=${readCodec(bytes)} input=${show(input)}`)
  }
  const publicKey = bytes.slice(2)
  if (publicKey.length !== COMPRESSED_KEY_LENGTH) {
    return fail(
      'InvalidKeyLength',
      `public key must be a 33-byte compressed point type=${type} length=${publicKey.length}`,
    )
  }
  if (!isOnCurve(type, publicKey)) {
    return fail('InvalidPoint', `public key is not a compressed point on the curve type=${type} input=${show(input)}`)
  }
  return { ok: true, value: { type, publicKey } }
}

/**
 * Formats a key as a Multikey ('z…'). Throws InvalidDidKeyError when the key is not a supported
 * type with a 33-byte compressed point (the shape is checked, not curve membership).
 */
export function formatMultikey(key: ParsedKey): string {
  if (!isCompressedKey(key)) {
    const code: DidKeyErrorCode = !isKeyType(key?.type)
      ? 'UnsupportedKeyType'
      : key.publicKey?.length !== COMPRESSED_KEY_LENGTH
        ? 'InvalidKeyLength'
        : 'InvalidPoint'
    throw new InvalidDidKeyError(
      code,
      `cannot format key as multikey type=${String(key?.type)} length=${String(key?.publicKey?.length)}`,
    )
  }
  const bytes = new Uint8Array(2 + COMPRESSED_KEY_LENGTH)
  bytes.set(CODEC_PREFIX[key.type], 0)
  bytes.set(key.publicKey, 2)
  return encodeBase58btc(bytes)
}

/** Formats a key as 'did:key:z…'; throws like formatMultikey. */
export const formatDidKey = (key: ParsedKey): string => `${DID_KEY_PREFIX}${formatMultikey(key)}`
