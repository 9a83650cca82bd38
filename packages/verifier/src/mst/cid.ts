import { hash } from 'node:crypto'

/** A CIDv1 over SHA-256 is 36 bytes: version, codec, hash code, digest length, then the digest. */
export const CID_LENGTH = 36
/** The multicodec of DAG-CBOR, the codec of every commit, MST node and record block. */
export const CODEC_DAG_CBOR = 0x71
/** The multicodec of raw bytes (blobs); never a repository block. */
export const CODEC_RAW = 0x55

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'
const BASE32_VALUE = new Int8Array(128).fill(-1)
for (let i = 0; i < BASE32.length; i++) BASE32_VALUE[BASE32.charCodeAt(i)] = i

/** SHA-256 of bytes (node:crypto one-shot). */
export const sha256 = (data: Uint8Array | string): Uint8Array => hash('sha256', data, 'buffer')

/** The CIDv1 (DAG-CBOR, SHA-256) of a block's bytes, as 36 bytes. */
export function cidForDagCbor(bytes: Uint8Array): Uint8Array {
  const cid = new Uint8Array(CID_LENGTH)
  cid[0] = 0x01
  cid[1] = CODEC_DAG_CBOR
  cid[2] = 0x12
  cid[3] = 0x20
  cid.set(sha256(bytes), 4)
  return cid
}

/** True when bytes are a CIDv1 with a SHA-256 digest and the given codec (DAG-CBOR by default). */
export function isCidBytes(bytes: Uint8Array, codec: number = CODEC_DAG_CBOR): boolean {
  return (
    bytes.length === CID_LENGTH && bytes[0] === 0x01 && bytes[1] === codec && bytes[2] === 0x12 && bytes[3] === 0x20
  )
}

/** True when block bytes hash to the digest in cid (the codec is not checked here). */
export function blockMatchesCid(cid: Uint8Array, bytes: Uint8Array): boolean {
  const digest = sha256(bytes)
  for (let i = 0; i < 32; i++) if (digest[i] !== cid[i + 4]) return false
  return true
}

export function cidEquals(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = a.length - 1; i >= 0; i--) if (a[i] !== b[i]) return false
  return true
}

// cidToString writes into this scratch buffer and decodes it once: building the string a
// character at a time leaves ~60 intermediate strings per CID for the garbage collector.
const scratch = Buffer.allocUnsafe(128)
const BASE32_CODES = Uint8Array.from(BASE32, (c) => c.charCodeAt(0))

/** The canonical string form of a CID: multibase base32 ('b…', lowercase, no padding). */
export function cidToString(cid: Uint8Array): string {
  const out = cid.length <= 75 ? scratch : Buffer.allocUnsafe(2 + Math.ceil((cid.length * 8) / 5))
  out[0] = 0x62
  let at = 1
  let buffer = 0
  let bits = 0
  for (let i = 0; i < cid.length; i++) {
    buffer = ((buffer << 8) | (cid[i] as number)) & 0xffff
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out[at++] = BASE32_CODES[(buffer >>> bits) & 31] as number
    }
  }
  if (bits > 0) out[at++] = BASE32_CODES[(buffer << (5 - bits)) & 31] as number
  return out.toString('latin1', 0, at)
}

/**
 * Parses the string form of a CIDv1 SHA-256 CID (DAG-CBOR or raw) into its 36 bytes; undefined for
 * anything else (other bases, CIDv0, other hashes, non-zero padding bits).
 */
export function cidFromString(text: string): Uint8Array | undefined {
  // 36 bytes are 288 bits: 58 base32 characters (the last carries 2 padding bits), plus 'b'
  if (typeof text !== 'string' || text.length !== 59 || text.charCodeAt(0) !== 0x62) return undefined
  const out = new Uint8Array(CID_LENGTH)
  let buffer = 0
  let bits = 0
  let at = 0
  for (let i = 1; i < text.length; i++) {
    const code = text.charCodeAt(i)
    const value = code < 128 ? (BASE32_VALUE[code] as number) : -1
    if (value < 0) return undefined
    buffer = ((buffer << 5) | value) & 0xffff
    bits += 5
    if (bits >= 8) {
      bits -= 8
      out[at++] = (buffer >>> bits) & 0xff
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) return undefined
  if (!isCidBytes(out, CODEC_DAG_CBOR) && !isCidBytes(out, CODEC_RAW)) return undefined
  return out
}
