import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToUint32, concatBytes, fromBase64, hasControl, isWellFormed, toBase64, utf8 } from './bytes.js'
import { Ed25519PrivateKey, Ed25519PublicKey } from './ed25519.js'
import { fail, ok, type Result, TlogError } from './result.js'

/** C2SP signed-note signature type of Ed25519 signatures. */
export const SIG_TYPE_ED25519 = 0x01

export type NoteKeyErrorCode = 'malformed-key' | 'unknown-algorithm' | 'key-id-mismatch'

/** A verifier or signer key string that cannot be used. */
export class NoteKeyError extends TlogError<NoteKeyErrorCode> {
  override name = 'NoteKeyError'
}

/** Checks a note signature. The pair (name, keyId) identifies the key. */
export interface NoteVerifier {
  readonly name: string
  readonly keyId: number
  verify(message: Uint8Array, signature: Uint8Array): Promise<boolean>
}

/** Makes note signatures. A signer may live elsewhere (a KMS); only these three are needed. */
export interface NoteSigner {
  readonly name: string
  readonly keyId: number
  sign(message: Uint8Array): Promise<Uint8Array>
}

export interface Ed25519NoteVerifier extends NoteVerifier {
  readonly publicKey: Uint8Array
  /** `<name>+<hex key id>+<base64(0x01 || public key)>` */
  readonly verifierKey: string
}

export interface Ed25519NoteSigner extends NoteSigner {
  readonly publicKey: Uint8Array
  readonly verifierKey: string
}

const SPACE = /\p{White_Space}/u

/** Key names: non-empty, no Unicode spaces, no '+' (and no control characters, which notes forbid). */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && isWellFormed(name) && !SPACE.test(name) && !hasControl(name, false) && !name.includes('+')
}

/** key ID = SHA-256(key name || 0x0A || signature type || public key)[:4], as a big-endian uint32. */
export function noteKeyId(name: string, typeAndKey: Uint8Array): number {
  return bytesToUint32(sha256(concatBytes(utf8(name), Uint8Array.of(0x0a), typeAndKey)))
}

const hex8 = (n: number): string => n.toString(16).padStart(8, '0')

function checkName(name: string): void {
  if (!isValidKeyName(name)) throw new NoteKeyError('malformed-key', `invalid key name name=${JSON.stringify(name)}`)
}

/** `<name>+<hex key id>+<base64(0x01 || public key)>` for an Ed25519 public key. */
export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  checkName(name)
  if (publicKey.length !== 32) {
    throw new NoteKeyError('malformed-key', `ed25519 public key must be 32 bytes length=${publicKey.length}`)
  }
  const typeAndKey = concatBytes(Uint8Array.of(SIG_TYPE_ED25519), publicKey)
  return `${name}+${hex8(noteKeyId(name, typeAndKey))}+${toBase64(typeAndKey)}`
}

/** A verifier for an Ed25519 key (throws on a bad name or key length: programming errors). */
export function ed25519Verifier(name: string, publicKey: Uint8Array): Ed25519NoteVerifier {
  const verifierKey = formatVerifierKey(name, publicKey)
  const key = new Ed25519PublicKey(publicKey)
  return {
    name,
    keyId: noteKeyId(name, concatBytes(Uint8Array.of(SIG_TYPE_ED25519), publicKey)),
    publicKey: key.bytes.slice(),
    verifierKey,
    verify: (message, signature) => key.verify(message, signature),
  }
}

/** Splits `a+b+rest` at the first two '+' (the base64 part may itself hold '+'). */
function chop(text: string): [string, string] {
  const i = text.indexOf('+')
  return i < 0 ? [text, ''] : [text.slice(0, i), text.slice(i + 1)]
}

function parseKeyParts(name: string, rest: string): Result<{ keyId: number; key: Uint8Array }, NoteKeyError> {
  const [hash, key64] = chop(rest)
  if (!isValidKeyName(name)) {
    return fail(new NoteKeyError('malformed-key', `invalid key name name=${JSON.stringify(name)}`))
  }
  if (!/^[0-9a-fA-F]{8}$/.test(hash)) {
    return fail(new NoteKeyError('malformed-key', `key id must be 8 hex digits name=${name}`))
  }
  const key = fromBase64(key64)
  if (!key || key.length === 0) return fail(new NoteKeyError('malformed-key', `key must be base64 name=${name}`))
  if (key[0] !== SIG_TYPE_ED25519) {
    return fail(new NoteKeyError('unknown-algorithm', `unsupported signature type name=${name} type=${key[0]}`))
  }
  if (key.length !== 33) {
    return fail(new NoteKeyError('malformed-key', `ed25519 key must be 32 bytes name=${name} length=${key.length - 1}`))
  }
  return ok({ keyId: Number.parseInt(hash, 16), key: key.subarray(1) })
}

/** Parses a C2SP verifier key `<name>+<hex key id>+<base64(0x01 || public key)>` (Ed25519 only). */
export function parseVerifierKey(vkey: string): Result<Ed25519NoteVerifier, NoteKeyError> {
  const [name, rest] = chop(vkey)
  const parts = parseKeyParts(name, rest)
  if (!parts.ok) return parts
  const verifier = ed25519Verifier(name, parts.value.key)
  if (verifier.keyId !== parts.value.keyId) {
    return fail(
      new NoteKeyError(
        'key-id-mismatch',
        `key id does not match the key name=${name} keyId=${hex8(parts.value.keyId)}`,
      ),
    )
  }
  return ok(verifier)
}

/** A signer from an Ed25519 seed (32 bytes); its verifierKey is what verifiers configure. */
export async function ed25519Signer(name: string, seed: Uint8Array): Promise<Ed25519NoteSigner> {
  checkName(name)
  const key = new Ed25519PrivateKey(seed)
  const publicKey = await key.publicKey()
  return {
    name,
    keyId: noteKeyId(name, concatBytes(Uint8Array.of(SIG_TYPE_ED25519), publicKey)),
    publicKey,
    verifierKey: formatVerifierKey(name, publicKey),
    sign: (message) => key.sign(message),
  }
}

/** `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || seed)>`, the Go sumdb/note signer key form. */
export async function formatSignerKey(name: string, seed: Uint8Array): Promise<string> {
  const signer = await ed25519Signer(name, seed)
  return `PRIVATE+KEY+${name}+${hex8(signer.keyId)}+${toBase64(concatBytes(Uint8Array.of(SIG_TYPE_ED25519), seed))}`
}

/** Parses a signer key; the key id must match the public key derived from the seed. */
export async function parseSignerKey(skey: string): Promise<Result<Ed25519NoteSigner, NoteKeyError>> {
  if (!skey.startsWith('PRIVATE+KEY+')) {
    return fail(new NoteKeyError('malformed-key', 'signer key must start with PRIVATE+KEY+'))
  }
  const [name, rest] = chop(skey.slice('PRIVATE+KEY+'.length))
  const parts = parseKeyParts(name, rest)
  if (!parts.ok) return parts
  const signer = await ed25519Signer(name, parts.value.key)
  if (signer.keyId !== parts.value.keyId) {
    return fail(
      new NoteKeyError(
        'key-id-mismatch',
        `key id does not match the key name=${name} keyId=${hex8(parts.value.keyId)}`,
      ),
    )
  }
  return ok(signer)
}

/** A fresh Ed25519 key pair as signer and verifier key strings. */
export async function generateNoteKey(name: string): Promise<{ signerKey: string; verifierKey: string }> {
  const seed = crypto.getRandomValues(new Uint8Array(32))
  const signer = await ed25519Signer(name, seed)
  return { signerKey: await formatSignerKey(name, seed), verifierKey: signer.verifierKey }
}
