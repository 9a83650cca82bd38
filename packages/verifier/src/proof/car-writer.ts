import { CID_LENGTH, cidFromString } from '../mst/index.js'
import { encodeVarint } from './varint.js'

// The canonical DAG-CBOR header {"roots": [root], "version": 1}: keys sorted length-first.
const HEADER_START = Uint8Array.of(0xa2, 0x65, 0x72, 0x6f, 0x6f, 0x74, 0x73, 0x81, 0xd8, 0x2a, 0x58, 0x25, 0x00)
const HEADER_END = Uint8Array.of(0x67, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0x01)

/**
 * Writes a CAR v1 file with one root and the given blocks, in order. CIDs are CID strings; a CID
 * that does not parse throws TypeError (the caller's blocks are expected to be its own).
 */
export function writeCar(root: string, blocks: Iterable<readonly [cid: string, bytes: Uint8Array]>): Uint8Array {
  const rootBytes = cidFromString(root)
  if (rootBytes === undefined) throw new TypeError(`car root is not a cid string root=${root}`)
  const header = new Uint8Array(HEADER_START.length + CID_LENGTH + HEADER_END.length)
  header.set(HEADER_START, 0)
  header.set(rootBytes, HEADER_START.length)
  header.set(HEADER_END, HEADER_START.length + CID_LENGTH)
  const parts: Uint8Array[] = [encodeVarint(header.length), header]
  for (const [cid, bytes] of blocks) {
    const cidBytes = cidFromString(cid)
    if (cidBytes === undefined) throw new TypeError(`car block cid is not a cid string cid=${cid}`)
    parts.push(encodeVarint(CID_LENGTH + bytes.length), cidBytes, bytes)
  }
  let size = 0
  for (const part of parts) size += part.length
  const out = new Uint8Array(size)
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}
