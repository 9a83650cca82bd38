import { isLinkAt, LINK_LENGTH } from '../mst/node-codec.js'

// A v3 commit has one canonical DAG-CBOR encoding: a map of six entries, keys sorted by length
// then bytewise, so `sig` sits between `rev` and `data`:
//   {"did": text, "rev": text, "sig": bytes, "data": link, "prev": link|null, "version": uint}
// The bytes its signature covers are that map without the `sig` entry, which is the same bytes
// with the entry cut out and the header a5 (five entries) for a6.

/** The fields of a commit read from its canonical layout; links are views into the bytes. */
export type CommitLayout = {
  did: string
  rev: string
  sig: Uint8Array
  data: Uint8Array
  prev: Uint8Array | null
  version: number
  /** Where the `sig` entry (key and value) starts and ends. */
  sigStart: number
  sigEnd: number
}

const KEY_DID = [0x63, 0x64, 0x69, 0x64]
const KEY_REV = [0x63, 0x72, 0x65, 0x76]
const KEY_SIG = [0x63, 0x73, 0x69, 0x67]
const KEY_DATA = [0x64, 0x64, 0x61, 0x74, 0x61]
const KEY_PREV = [0x64, 0x70, 0x72, 0x65, 0x76]
const KEY_VERSION = [0x67, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e]
const MAX_FIELD_LENGTH = 0x10000

// where the value read last ends (a second return value, without allocating)
let end = 0

function hasKey(bytes: Uint8Array, at: number, key: readonly number[]): boolean {
  for (let i = 0; i < key.length; i++) if (bytes[at + i] !== key[i]) return false
  end = at + key.length
  return true
}

/** The length in a shortest-form head of major type `major` at `at` (below 2^16), or -1. */
function lengthAt(bytes: Uint8Array, at: number, major: number): number {
  const first = bytes[at]
  if (first === undefined || first >> 5 !== major) return -1
  const info = first & 0x1f
  if (info < 24) {
    end = at + 1
    return info
  }
  if (info === 24) {
    const n = bytes[at + 1]
    if (n === undefined || n < 24) return -1
    end = at + 2
    return n
  }
  if (info === 25) {
    const hi = bytes[at + 1]
    const lo = bytes[at + 2]
    if (hi === undefined || lo === undefined || hi === 0) return -1
    end = at + 3
    return hi * 256 + lo
  }
  return -1
}

/** ASCII text at `at` (longer text or any other byte: undefined, left to the general decoder). */
function asciiAt(bytes: Uint8Array, at: number): string | undefined {
  const length = lengthAt(bytes, at, 3)
  const start = end
  if (length < 0 || length > MAX_FIELD_LENGTH || start + length > bytes.length) return undefined
  for (let i = start; i < start + length; i++) if ((bytes[i] as number) > 0x7f) return undefined
  end = start + length
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, length).toString('latin1')
}

/** A link (the 36 CID bytes) at `at`, or null for a CBOR null when nullable; undefined otherwise. */
function linkAt(bytes: Uint8Array, at: number, nullable: boolean): Uint8Array | null | undefined {
  if (nullable && bytes[at] === 0xf6) {
    end = at + 1
    return null
  }
  if (!isLinkAt(bytes, at)) return undefined
  end = at + LINK_LENGTH
  return bytes.subarray(at + 5, at + LINK_LENGTH)
}

/**
 * Reads a commit laid out exactly as canonical DAG-CBOR lays out the six v3 fields (values not
 * validated). Undefined for any other bytes, which may still decode (not canonically, or with
 * values this reader leaves to the general decoder, e.g. non-ASCII text or a long CID).
 */
export function readCommitLayout(bytes: Uint8Array): CommitLayout | undefined {
  if (bytes[0] !== 0xa6 || !hasKey(bytes, 1, KEY_DID)) return undefined
  const did = asciiAt(bytes, end)
  if (did === undefined || !hasKey(bytes, end, KEY_REV)) return undefined
  const rev = asciiAt(bytes, end)
  if (rev === undefined) return undefined
  const sigStart = end
  if (!hasKey(bytes, sigStart, KEY_SIG)) return undefined
  const sigLength = lengthAt(bytes, end, 2)
  const sigAt = end
  if (sigLength < 0 || sigAt + sigLength > bytes.length) return undefined
  const sig = bytes.subarray(sigAt, sigAt + sigLength)
  const sigEnd = sigAt + sigLength
  if (!hasKey(bytes, sigEnd, KEY_DATA)) return undefined
  const data = linkAt(bytes, end, false)
  if (!data || !hasKey(bytes, end, KEY_PREV)) return undefined
  const prev = linkAt(bytes, end, true)
  if (prev === undefined || !hasKey(bytes, end, KEY_VERSION)) return undefined
  const version = bytes[end]
  // a uint below 24 is its own one-byte head; anything else is left to the general decoder
  if (version === undefined || version > 0x17 || end + 1 !== bytes.length) return undefined
  return { did, rev, sig, data, prev, version, sigStart, sigEnd }
}

/** The commit's bytes without its `sig` entry: the DAG-CBOR bytes its signature covers. */
export function spliceOutSig(bytes: Uint8Array, sigStart: number, sigEnd: number): Uint8Array {
  const out = new Uint8Array(bytes.length - (sigEnd - sigStart))
  out.set(bytes.subarray(0, sigStart), 0)
  out[0] = 0xa5
  out.set(bytes.subarray(sigEnd), sigStart)
  return out
}
