import { sha256 } from '@noble/hashes/sha2.js'

/** RFC 9162 section 2.1.1 Merkle Tree Hash with SHA-256. */
export const HASH_SIZE = 32

const EMPTY_ROOT = sha256(new Uint8Array(0))

/** MTH({}) = SHA-256() — the root of the empty tree. Returns a fresh copy. */
export function emptyRoot(): Uint8Array {
  return EMPTY_ROOT.slice()
}

/** MTH({d}) = SHA-256(0x00 || d). */
export function leafHash(data: Uint8Array): Uint8Array {
  const buf = new Uint8Array(data.length + 1)
  buf[0] = 0x00
  buf.set(data, 1)
  return sha256(buf)
}

/** The interior node hash SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const buf = new Uint8Array(1 + left.length + right.length)
  buf[0] = 0x01
  buf.set(left, 1)
  buf.set(right, 1 + left.length)
  return sha256(buf)
}

/**
 * The Merkle Tree Hash of a list of leaf hashes (not leaf data), in O(n) time and O(log n)
 * memory: complete subtrees are merged as soon as they pair up, and the remaining ones are
 * folded right to left, which is the RFC 9162 split at the largest power of two.
 */
export function rootFromLeafHashes(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return emptyRoot()
  // stack of complete subtrees, left to right, with strictly decreasing sizes
  const hashes: Uint8Array[] = []
  const sizes: number[] = []
  for (const leaf of leafHashes) {
    if (leaf.length !== HASH_SIZE) throw new TypeError(`leaf hash must be ${HASH_SIZE} bytes length=${leaf.length}`)
    let hash = leaf
    let size = 1
    while (sizes.length > 0 && sizes[sizes.length - 1] === size) {
      sizes.pop()
      hash = nodeHash(hashes.pop() as Uint8Array, hash)
      size *= 2
    }
    hashes.push(hash)
    sizes.push(size)
  }
  let root = hashes[hashes.length - 1] as Uint8Array
  for (let i = hashes.length - 2; i >= 0; i--) root = nodeHash(hashes[i] as Uint8Array, root)
  return root
}
