import { CidLinkWrapper, decode as decodeCbor } from '@atcute/cbor'
import { blockMatchesCid, CID_LENGTH, CODEC_DAG_CBOR, cidToString, isCidBytes } from '../mst/index.js'
import { ok, type Result } from '../mst/result.js'
import { ProofError, proofError } from './errors.js'
import type { Car, CarLimits } from './types.js'
import { readVarint } from './varint.js'

/** Defaults: a firehose #commit's blocks are capped at 2 MiB; a record proof is far smaller. */
export const DEFAULT_CAR_LIMITS: Required<CarLimits> = { maxBytes: 2 * 1024 * 1024, maxBlocks: 10_000 }
/** A header with one root is 58 bytes; anything much larger is not a repository CAR. */
const MAX_HEADER_LENGTH = 1024

const malformed = (message: string) => proofError('MalformedCar', message)

// The header every repository CAR has, canonical DAG-CBOR {"roots": [link], "version": 1}: these
// bytes, the 36 bytes of the root CID, then HEADER_TAIL. Read without the general decoder.
const HEADER_HEAD = Uint8Array.of(0xa2, 0x65, 0x72, 0x6f, 0x6f, 0x74, 0x73, 0x81, 0xd8, 0x2a, 0x58, 0x25, 0x00)
const HEADER_TAIL = Uint8Array.of(0x67, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0x01)
const HEADER_LENGTH = HEADER_HEAD.length + CID_LENGTH + HEADER_TAIL.length

/** The root of a header laid out exactly as HEADER_HEAD, CID, HEADER_TAIL; else undefined. */
function canonicalHeaderRoot(header: Uint8Array): string | undefined {
  if (header.length !== HEADER_LENGTH) return undefined
  for (let i = 0; i < HEADER_HEAD.length; i++) if (header[i] !== HEADER_HEAD[i]) return undefined
  const tail = HEADER_HEAD.length + CID_LENGTH
  for (let i = 0; i < HEADER_TAIL.length; i++) if (header[tail + i] !== HEADER_TAIL[i]) return undefined
  const cid = header.subarray(HEADER_HEAD.length, tail)
  return isCidBytes(cid, CODEC_DAG_CBOR) ? cidToString(cid) : undefined
}

function readHeader(bytes: Uint8Array): Result<{ root: string; next: number }, ProofError> {
  const length = readVarint(bytes, 0)
  if (length === undefined) return malformed('car header length is not a shortest-form varint')
  if (length.value === 0 || length.value > MAX_HEADER_LENGTH || length.next + length.value > bytes.length) {
    return malformed(`car header length out of range length=${length.value} size=${bytes.length}`)
  }
  const headerBytes = bytes.subarray(length.next, length.next + length.value)
  const canonicalRoot = canonicalHeaderRoot(headerBytes)
  if (canonicalRoot !== undefined) return ok({ root: canonicalRoot, next: length.next + length.value })
  let header: unknown
  try {
    header = decodeCbor(headerBytes)
  } catch (cause) {
    return proofError('MalformedCar', 'car header is not canonical dag-cbor', cause)
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header) || Object.keys(header).length !== 2) {
    return malformed('car header must be exactly {version, roots}')
  }
  const { version, roots } = header as { version?: unknown; roots?: unknown }
  if (version !== 1) return malformed(`car version must be 1 version=${String(version)}`)
  if (!Array.isArray(roots) || roots.length !== 1) {
    return malformed(`car must have exactly one root roots=${Array.isArray(roots) ? roots.length : typeof roots}`)
  }
  const root = roots[0] as unknown
  if (!(root instanceof CidLinkWrapper) || !isCidBytes(root.bytes, CODEC_DAG_CBOR)) {
    return malformed('car root is not a dag-cbor sha-256 cidv1')
  }
  return ok({ root: cidToString(root.bytes), next: length.next + length.value })
}

/**
 * Reads a CAR v1 file strictly: a canonical header `{version: 1, roots: [cid]}` with exactly one
 * root, then blocks until the last byte, each with a DAG-CBOR SHA-256 CIDv1 whose digest must
 * match the bytes. Caps total size and block count. A block repeated with the same CID is read
 * once. Block bytes are views into `bytes` (no copy): do not modify it afterwards.
 *
 * Fails with MalformedCar (framing, header, caps, trailing bytes) or CidMismatch.
 */
export function readCar(bytes: Uint8Array, limits?: CarLimits): Result<Car, ProofError> {
  const maxBytes = limits?.maxBytes ?? DEFAULT_CAR_LIMITS.maxBytes
  const maxBlocks = limits?.maxBlocks ?? DEFAULT_CAR_LIMITS.maxBlocks
  if (!(bytes instanceof Uint8Array)) return malformed('car must be a Uint8Array')
  if (bytes.length > maxBytes) return malformed(`car exceeds the size cap size=${bytes.length} max=${maxBytes}`)
  const header = readHeader(bytes)
  if (!header.ok) return header
  const blocks = new Map<string, Uint8Array>()
  let at = header.value.next
  let count = 0
  while (at < bytes.length) {
    const length = readVarint(bytes, at)
    if (length === undefined) return malformed(`car block length is not a shortest-form varint offset=${at}`)
    const end = length.next + length.value
    if (length.value < CID_LENGTH || end > bytes.length) {
      return malformed(`car block runs past the end or has no cid offset=${at} length=${length.value}`)
    }
    if (++count > maxBlocks) return malformed(`car exceeds the block cap max=${maxBlocks}`)
    const cidBytes = bytes.subarray(length.next, length.next + CID_LENGTH)
    if (!isCidBytes(cidBytes, CODEC_DAG_CBOR))
      return malformed(`car block cid is not a dag-cbor sha-256 cidv1 offset=${at}`)
    const data = bytes.subarray(length.next + CID_LENGTH, end)
    const cid = cidToString(cidBytes)
    if (!blockMatchesCid(cidBytes, data)) {
      return { ok: false, error: new ProofError('CidMismatch', `car block bytes do not match their cid cid=${cid}`) }
    }
    if (!blocks.has(cid)) blocks.set(cid, data)
    at = end
  }
  return ok({ root: header.value.root, blocks })
}
