// The binary snapshot format (manifest `format dnt-snapshot-bin/1`), little-endian, uncompressed:
//
//   "DNTSNAP1"                                   8-byte magic
//   records                                      every declaration, sorted by uri (so grouped by account)
//   pad to 4
//   declStart  u32[accounts + 1]                 each account's first declaration index
//   byteStart  u32[accounts + 1]                 ... and its first record byte (from the records start)
//   didStart   u32[accounts + 1]                 each account's DID in `dids`
//   dids       ASCII bytes, pad to 4             accounts sorted strictly by `did + "/"` (uri order)
//   slots      u32[slots]                        open addressing, linear probing over FNV-1a(did): account + 1, 0 empty
//   strStart   u32[strings + 1]                  the interned strings (collections, sources, preferences JSON, origins...)
//   strs       UTF-8 bytes, pad to 4
//   footer     u32 declarations, accounts, slots, strings, recordsBytes, didsBytes, strsBytes, 0; "DNTSNAP1"
//
// A record: u8 kind, varint preferences (string id), the scope, [value scope cid], varint
// collection (string id), value rkey, value cid, value rev, varint source (string id), value
// indexedAt, varint seq, then [varint logIndex] [value statement] [value licenseUri]
// [value createdAt] as the kind's bits say. A value is a tag byte and its payload (VALUE_*).

export const MAGIC = Uint8Array.from('DNTSNAP1', (c) => c.charCodeAt(0))
export const FOOTER_BYTES = 40

/** kind bits 0-2: the scope. */
export const SCOPE_ACCOUNT = 0
export const SCOPE_COLLECTION = 1 // varint string id
export const SCOPE_RECORD = 2 // value (any at-uri)
export const SCOPE_OWN_RECORD = 3 // varint collection string id, value rkey: at://<the declaration's did>/<collection>/<rkey>
export const SCOPE_ORIGIN = 4 // varint string id, not verified
export const SCOPE_ORIGIN_VERIFIED = 5 // varint string id
export const KIND_SCOPE_MASK = 0x07
export const KIND_SCOPE_CID = 0x08
export const KIND_STATEMENT = 0x10
export const KIND_LICENSE = 0x20
export const KIND_CREATED = 0x40
export const KIND_LOG_INDEX = 0x80

export const VALUE_STRING_ID = 0 // varint id
export const VALUE_INLINE = 1 // varint byte length (1..MAX_INLINE_BYTES), UTF-8
export const VALUE_TID = 2 // 8 bytes: a 13-character TID
export const VALUE_CID = 3 // varint byte length (1..MAX_INLINE_BYTES): "b" + base32 of the bytes
export const VALUE_CID_DAG_CBOR = 4 // 32 bytes: a CIDv1 dag-cbor sha2-256 digest
export const VALUE_DATETIME = 5 // 6 bytes: milliseconds since 1970, as Date#toISOString writes it
export const MAX_INLINE_BYTES = 32 * 1024

const TID_CHARS = '234567abcdefghijklmnopqrstuvwxyz'
const B32_CHARS = 'abcdefghijklmnopqrstuvwxyz234567'
export const DAG_CBOR_SHA256 = Uint8Array.of(0x01, 0x71, 0x12, 0x20)

/** FNV-1a (32-bit) of a string's char codes in [start, end): equal to fnvBytes of its ASCII bytes. */
export function fnvString(s: string, start: number, end: number): number {
  let h = 0x811c9dc5
  for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}

export function fnvBytes(b: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5
  for (let i = start; i < end; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193)
  return h >>> 0
}

const TID_VALUE = new Int8Array(128).fill(-1)
for (const [i, c] of [...TID_CHARS].entries()) TID_VALUE[c.charCodeAt(0)] = i
const B32_VALUE = new Int8Array(128).fill(-1)
for (const [i, c] of [...'abcdefghijklmnopqrstuvwxyz234567'].entries()) B32_VALUE[c.charCodeAt(0)] = i

/** A TID as two numbers (its first 7 and last 6 characters), or undefined. */
export function tidWords(s: string): [number, number] | undefined {
  if (s.length !== 13) return undefined
  let a = 0
  let b = 0
  for (let i = 0; i < 13; i++) {
    const c = s.charCodeAt(i)
    const v = c < 128 ? (TID_VALUE[c] as number) : -1
    if (v < 0 || (i === 0 && v >= 16)) return undefined
    if (i < 7) a = a * 32 + v
    else b = b * 32 + v
  }
  // a < 2^34, b < 2^30: w0 = b | (a & 3) << 30, w1 = a >> 2.
  return [(b + (a % 4) * 2 ** 30) >>> 0, Math.floor(a / 4)]
}

export function tidString(w0: number, w1: number): string {
  let a = w1 * 4 + (w0 >>> 30)
  let b = w0 & 0x3fffffff
  let out = ''
  for (let i = 0; i < 6; i++, b = Math.floor(b / 32)) out = TID_CHARS[b % 32] + out
  for (let i = 0; i < 7; i++, a = Math.floor(a / 32)) out = TID_CHARS[a % 32] + out
  return out
}

/** RFC 4648 base32, lower case, unpadded (the multibase "b" alphabet). */
export function base32(bytes: Uint8Array, start: number, end: number): string {
  let out = ''
  let bits = 0
  let acc = 0
  for (let i = start; i < end; i++) {
    acc = ((acc << 8) | (bytes[i] as number)) & 0xfff
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out += B32_CHARS[(acc >>> bits) & 31]
    }
  }
  if (bits > 0) out += B32_CHARS[(acc << (5 - bits)) & 31]
  return out
}

/** The bytes of an unpadded lower-case base32 string whose encoding is canonical, or undefined. */
export function fromBase32(s: string): Uint8Array | undefined {
  const out = new Uint8Array(Math.floor((s.length * 5) / 8))
  let bits = 0
  let acc = 0
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    const v = c < 128 ? (B32_VALUE[c] as number) : -1
    if (v < 0) return undefined
    acc = ((acc << 5) | v) & 0xfff
    bits += 5
    if (bits >= 8) {
      bits -= 8
      out[n++] = (acc >>> bits) & 0xff
    }
  }
  // Canonical: no character left over without a whole byte, and the leftover bits zero.
  return bits < 5 && (acc & ((1 << bits) - 1)) === 0 ? out : undefined
}

/** Milliseconds of a datetime that Date#toISOString writes back exactly (and fits 6 bytes), or undefined. */
export function datetimeMs(s: string): number | undefined {
  const ms = Date.parse(s)
  if (!Number.isSafeInteger(ms) || ms < 0 || ms >= 2 ** 48) return undefined
  return new Date(ms).toISOString() === s ? ms : undefined
}

/** Typed-array views of the tables read and write little-endian only on a little-endian host. */
export const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1
