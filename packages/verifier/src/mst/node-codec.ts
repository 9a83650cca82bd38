import { CID_LENGTH, CODEC_DAG_CBOR, isCidBytes } from './cid.js'
import { MstError } from './errors.js'
import { commonPrefixLength, KEY_CHAR, MAX_MST_KEY_LENGTH } from './key.js'
import { err, ok, type Result } from './result.js'
import type { MstEntry, MstNode } from './types.js'

// An MST node has one canonical DAG-CBOR encoding, so it is read and written byte by byte:
//   {"e": [{"k": bytes, "p": uint, "t": link|null, "v": link}, ...], "l": link|null}
// (map keys sorted length-first, then bytewise). Anything else is rejected, which also rejects
// every non-canonical encoding (long-form lengths, other key orders, extra fields, floats).

const KEY_E = 0x65
const KEY_K = 0x6b
const KEY_L = 0x6c
const KEY_P = 0x70
const KEY_T = 0x74
const KEY_V = 0x76
const NULL = 0xf6

class Malformed extends Error {}

// scratch space for the key being decoded (decoding is synchronous, so one buffer serves all)
const keyBytes = Buffer.allocUnsafe(MAX_MST_KEY_LENGTH)

function fail(what: string, at: number): never {
  throw new Malformed(`${what} offset=${at}`)
}

/** Bytes a DAG-CBOR link of a 36-byte CID takes: tag 42, bytes(37), the 0x00 prefix, the CID. */
export const LINK_LENGTH = 5 + CID_LENGTH

/** Whether a link of a 36-byte CID starts at `at` (its CID is bytes[at + 5, at + LINK_LENGTH)). */
export function isLinkAt(bytes: Uint8Array, at: number): boolean {
  return (
    at + LINK_LENGTH <= bytes.length &&
    bytes[at] === 0xd8 &&
    bytes[at + 1] === 0x2a &&
    bytes[at + 2] === 0x58 &&
    bytes[at + 3] === 0x25 &&
    bytes[at + 4] === 0x00
  )
}

/** The link (36 CID bytes) at `at`, or fails. */
function linkAt(bytes: Uint8Array, at: number): Uint8Array {
  if (!isLinkAt(bytes, at)) {
    fail('expected a cid link', at)
  }
  const cid = bytes.subarray(at + 5, at + LINK_LENGTH)
  if (!isCidBytes(cid, CODEC_DAG_CBOR)) fail('link is not a dag-cbor sha-256 cidv1', at)
  return cid
}

// where the head read last by head() ends (a second return value, without allocating)
let headEnd = 0

/** Reads the head of a major type at `at` (shortest-form argument below 2^32); sets headEnd. */
function head(bytes: Uint8Array, at: number, major: number): number {
  if (at >= bytes.length) fail('unexpected end of node', at)
  const first = bytes[at] as number
  if (first >> 5 !== major) fail(`expected cbor major type ${major}`, at)
  const info = first & 0x1f
  if (info < 24) {
    headEnd = at + 1
    return info
  }
  const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : fail('unsupported cbor argument', at)
  if (at + 1 + size > bytes.length) fail('unexpected end of node', at)
  let value = 0
  for (let i = 1; i <= size; i++) value = value * 256 + (bytes[at + i] as number)
  if (value < (size === 1 ? 24 : size === 2 ? 0x100 : 0x10000)) fail('non-canonical cbor length', at)
  headEnd = at + 1 + size
  return value
}

/** Checks the one-letter map key at `at` (text of length 1). */
function expectKey(bytes: Uint8Array, at: number, key: number): void {
  if (bytes[at] !== 0x61 || bytes[at + 1] !== key) {
    fail(at >= bytes.length ? 'unexpected end of node' : `expected map key ${String.fromCharCode(key)}`, at)
  }
}

function readNode(bytes: Uint8Array): MstNode {
  if (bytes.length === 0) fail('unexpected end of node', 0)
  if (bytes[0] !== 0xa2) fail('expected a map of two fields', 0)
  expectKey(bytes, 1, KEY_E)
  const count = head(bytes, 3, 4)
  let at = headEnd
  // every entry takes more than 50 bytes: refuse counts the input cannot hold before allocating
  if (count * 50 > bytes.length) fail(`entry count exceeds node size count=${count}`, at)
  const entries: MstEntry[] = []
  // the previous full key lives in `keyBytes`; each key is the previous one's first p bytes plus
  // its suffix, validated byte by byte and decoded once (no intermediate strings)
  let previousLength = 0
  let previousSlash = -1
  for (let i = 0; i < count; i++) {
    if (at >= bytes.length) fail('unexpected end of node', at)
    if (bytes[at] !== 0xa4) fail('expected an entry map of four fields', at)
    expectKey(bytes, at + 1, KEY_K)
    const length = head(bytes, at + 3, 2)
    const start = headEnd
    if (start + length > bytes.length) fail('key suffix runs past the end', start)
    at = start + length
    expectKey(bytes, at, KEY_P)
    const prefix = head(bytes, at + 2, 0)
    at = headEnd
    const keyLength = prefix + length
    if (prefix > previousLength) fail(`prefix longer than previous key p=${prefix}`, at)
    if (keyLength > MAX_MST_KEY_LENGTH) fail(`key too long length=${keyLength}`, at)
    if (i > 0) {
      // the keys share `prefix` bytes, so the order is decided at byte `prefix`
      if (prefix < previousLength) {
        if (length === 0 || (bytes[start] as number) < (keyBytes[prefix] as number)) fail('keys out of order', at)
        if (bytes[start] === keyBytes[prefix]) fail(`key prefix is not maximal p=${prefix}`, at)
      } else if (length === 0) fail('duplicate key', at)
    }
    let slash = previousSlash < prefix ? previousSlash : -1
    for (let j = start; j < start + length; j++) {
      const byte = bytes[j] as number
      if (byte === 0x2f) {
        if (slash !== -1) slash = -2
        else slash = prefix + j - start
      } else if (KEY_CHAR[byte] !== 1) slash = -2
      keyBytes[prefix + j - start] = byte
    }
    if (slash <= 0 || slash >= keyLength - 1) {
      fail(`invalid mst key key=${JSON.stringify(keyBytes.toString('latin1', 0, Math.min(keyLength, 100)))}`, at)
    }
    const key = keyBytes.toString('latin1', 0, keyLength)
    previousLength = keyLength
    previousSlash = slash
    expectKey(bytes, at, KEY_T)
    let right: Uint8Array | null = null
    if (bytes[at + 2] === NULL) at += 3
    else {
      right = linkAt(bytes, at + 2)
      at += 2 + LINK_LENGTH
    }
    expectKey(bytes, at, KEY_V)
    const value = linkAt(bytes, at + 2)
    at += 2 + LINK_LENGTH
    entries.push({ key, value, right })
  }
  expectKey(bytes, at, KEY_L)
  let left: Uint8Array | null = null
  if (bytes[at + 2] === NULL) at += 3
  else {
    left = linkAt(bytes, at + 2)
    at += 2 + LINK_LENGTH
  }
  if (at !== bytes.length) fail(at > bytes.length ? 'unexpected end of node' : 'trailing bytes after node', at)
  return { left, entries }
}

/**
 * Decodes an MST node block strictly: the exact canonical DAG-CBOR layout, maximal key prefix
 * compression, valid and strictly increasing keys, DAG-CBOR SHA-256 CIDv1 links. The returned
 * CIDs are views into `bytes`.
 */
export function decodeNode(bytes: Uint8Array): Result<MstNode, MstError> {
  try {
    return ok(readNode(bytes))
  } catch (cause) {
    if (cause instanceof Malformed) return err(new MstError('MalformedNode', `malformed mst node: ${cause.message}`))
    throw cause
  }
}

const headLength = (n: number): number => (n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5)

function writeHead(out: Uint8Array, at: number, major: number, n: number): number {
  const type = major << 5
  if (n < 24) {
    out[at] = type | n
    return at + 1
  }
  if (n < 0x100) {
    out[at] = type | 24
    out[at + 1] = n
    return at + 2
  }
  if (n < 0x10000) {
    out[at] = type | 25
    out[at + 1] = n >>> 8
    out[at + 2] = n & 0xff
    return at + 3
  }
  out[at] = type | 26
  out[at + 1] = n >>> 24
  out[at + 2] = (n >>> 16) & 0xff
  out[at + 3] = (n >>> 8) & 0xff
  out[at + 4] = n & 0xff
  return at + 5
}

function writeKey(out: Uint8Array, at: number, key: number): number {
  out[at] = 0x61
  out[at + 1] = key
  return at + 2
}

function writeLink(out: Uint8Array, at: number, cid: Uint8Array | null): number {
  if (cid === null) {
    out[at] = NULL
    return at + 1
  }
  out[at] = 0xd8
  out[at + 1] = 0x2a
  out[at + 2] = 0x58
  out[at + 3] = 0x25
  out[at + 4] = 0x00
  out.set(cid, at + 5)
  return at + LINK_LENGTH
}

/**
 * Encodes an MST node as canonical DAG-CBOR, prefix-compressing its keys. The caller keeps the
 * invariants (valid, increasing keys; 36-byte DAG-CBOR CIDs); they are not re-checked here.
 */
export function encodeNode(node: MstNode): Uint8Array {
  const { entries } = node
  const prefixes = new Array<number>(entries.length)
  let size = 1 + 2 + headLength(entries.length) + 2 + (node.left === null ? 1 : LINK_LENGTH)
  let previous = ''
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as MstEntry
    const prefix = commonPrefixLength(previous, entry.key)
    const suffix = entry.key.length - prefix
    prefixes[i] = prefix
    size += 1 + 2 + headLength(suffix) + suffix + 2 + headLength(prefix) + 2
    size += (entry.right === null ? 1 : LINK_LENGTH) + 2 + LINK_LENGTH
    previous = entry.key
  }
  const out = new Uint8Array(size)
  out[0] = 0xa2
  let at = writeKey(out, 1, KEY_E)
  at = writeHead(out, at, 4, entries.length)
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as MstEntry
    const prefix = prefixes[i] as number
    out[at++] = 0xa4
    at = writeKey(out, at, KEY_K)
    at = writeHead(out, at, 2, entry.key.length - prefix)
    for (let c = prefix; c < entry.key.length; c++) out[at++] = entry.key.charCodeAt(c)
    at = writeKey(out, at, KEY_P)
    at = writeHead(out, at, 0, prefix)
    at = writeKey(out, at, KEY_T)
    at = writeLink(out, at, entry.right)
    at = writeKey(out, at, KEY_V)
    at = writeLink(out, at, entry.value)
  }
  at = writeKey(out, at, KEY_L)
  writeLink(out, at, node.left)
  return out
}
