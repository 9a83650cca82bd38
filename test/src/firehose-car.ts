import { cborEncode } from '@atproto/common'
import type { BlockMap, CommitData } from '@atproto/repo'

type CID = CommitData['cid']

/**
 * The CAR file @atproto/repo's `blocksToCarFile(root, blocks)` writes for the union of `maps`
 * (first occurrence wins, insertion order), byte for byte, but synchronous and without
 * re-parsing every CID string (which dominates the reference writer's cost).
 */
export function encodeCar(root: CID, maps: readonly BlockMap[]): Uint8Array {
  const header = cborEncode({ version: 1, roots: [root] })
  const parts: Uint8Array[] = [varint(header.length), header]
  const seen = new Set<string>()
  for (const map of maps) {
    for (const [key, bytes] of blockEntries(map)) {
      if (seen.has(key)) continue
      seen.add(key)
      const cid = cidBytes(key)
      parts.push(varint(cid.length + bytes.length), cid, bytes)
    }
  }
  return Buffer.concat(parts)
}

/** The blocks of a BlockMap keyed by CID string, read without parsing each key back into a CID. */
function blockEntries(map: BlockMap): Iterable<[string, Uint8Array]> {
  const inner = (map as unknown as { map?: unknown }).map
  if (inner instanceof Map) return inner as Map<string, Uint8Array>
  return Array.from(map, ([cid, bytes]): [string, Uint8Array] => [cid.toString(), bytes])
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'
const BASE32_INDEX = new Map([...BASE32].map((c, i) => [c, i]))

/** Bytes of a CIDv1 in its default string form ('b' + RFC 4648 base32, lower case, unpadded). */
function cidBytes(text: string): Uint8Array {
  if (!text.startsWith('b')) throw new Error(`unsupported cid string cid=${text}`)
  const out = new Uint8Array(Math.floor(((text.length - 1) * 5) / 8))
  let bits = 0
  let value = 0
  let j = 0
  for (let i = 1; i < text.length; i++) {
    const v = BASE32_INDEX.get(text.charAt(i))
    if (v === undefined) throw new Error(`bad base32 in cid cid=${text}`)
    value = ((value << 5) | v) & 0xffff
    bits += 5
    if (bits >= 8) {
      bits -= 8
      out[j++] = (value >>> bits) & 0xff
    }
  }
  return out
}

function varint(n: number): Uint8Array {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80)
    n = Math.floor(n / 128)
  }
  out.push(n)
  return Uint8Array.from(out)
}
