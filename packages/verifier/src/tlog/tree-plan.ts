import { type NodeId, type StoredNode, TreeRangeError } from './hash-reader.js'
import { emptyRoot, nodeHash } from './merkle.js'

/**
 * Which stored nodes a root or a proof needs, and how to combine them once read. Planning is
 * pure arithmetic, so the same plan serves async storage (one batched read) and MemoryTree.
 *
 * Sizes and indexes are JS numbers, exact up to 2^53; all arithmetic below avoids the 32-bit
 * bitwise operators for that reason.
 */
export interface Plan {
  readonly ids: readonly NodeId[]
  build(hashes: readonly Uint8Array[]): Uint8Array[]
}

/** A range of leaves [start, end) whose start is aligned to a power of two >= its length. */
export interface LeafRange {
  readonly start: number
  readonly end: number
}

export function checkCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new TreeRangeError('invalid-argument', `${name} must be a non-negative safe integer ${name}=${value}`)
  }
}

/** The largest power of two strictly below n (n >= 2). */
function splitPoint(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/**
 * The complete subtrees covering an aligned range, left to right, largest first: the binary
 * digits of its length. Alignment makes each piece start on a multiple of its own width.
 */
function rangeNodeIds(range: LeafRange): NodeId[] {
  const ids: NodeId[] = []
  let start = range.start
  while (start < range.end) {
    let level = 0
    let width = 1
    while (start + width * 2 <= range.end) {
      level++
      width *= 2
    }
    ids.push({ level, index: start / width })
    start += width
  }
  return ids
}

/** MTH of an aligned range from its complete subtrees: fold right to left. */
function foldRight(hashes: readonly Uint8Array[]): Uint8Array {
  let hash = hashes[hashes.length - 1] as Uint8Array
  for (let i = hashes.length - 2; i >= 0; i--) hash = nodeHash(hashes[i] as Uint8Array, hash)
  return hash
}

/** Plan for the roots of these ranges, in order; build returns one hash per range. */
export function planRanges(ranges: readonly LeafRange[]): Plan {
  const groups = ranges.map(rangeNodeIds)
  return {
    ids: groups.flat(),
    build(hashes) {
      const out: Uint8Array[] = []
      let offset = 0
      for (const group of groups) {
        out.push(foldRight(hashes.slice(offset, offset + group.length)))
        offset += group.length
      }
      return out
    },
  }
}

/** Plan for MTH(D[0:size]); build returns [root]. */
export function planRoot(size: number): Plan {
  checkCount('size', size)
  if (size === 0) return { ids: [], build: () => [emptyRoot()] }
  return planRanges([{ start: 0, end: size }])
}

/** RFC 9162 2.1.3.1 PATH(index, D[0:size]), siblings from the leaf up. */
export function planInclusion(index: number, size: number): Plan {
  return planRanges(inclusionRanges(index, size))
}

/** The leaf ranges of PATH(index, D[0:size]): each sibling's, from the leaf up. */
export function inclusionRanges(index: number, size: number): LeafRange[] {
  checkCount('index', index)
  checkCount('size', size)
  if (index >= size) throw new TreeRangeError('out-of-range', `index out of range index=${index} size=${size}`)
  const ranges: LeafRange[] = []
  let start = 0
  let end = size
  while (end - start > 1) {
    const k = splitPoint(end - start)
    if (index < start + k) {
      ranges.push({ start: start + k, end })
      end = start + k
    } else {
      ranges.push({ start, end: start + k })
      start += k
    }
  }
  return ranges.reverse()
}

/** RFC 9162 2.1.4.1 PROOF(oldSize, D[0:newSize]); empty when oldSize is 0 or equals newSize. */
export function planConsistency(oldSize: number, newSize: number): Plan {
  checkCount('oldSize', oldSize)
  checkCount('newSize', newSize)
  if (oldSize > newSize) {
    throw new TreeRangeError('out-of-range', `old size above new size oldSize=${oldSize} newSize=${newSize}`)
  }
  if (oldSize === 0 || oldSize === newSize) return planRanges([])
  const ranges: LeafRange[] = []
  let start = 0
  let end = newSize
  let whole = true // SUBPROOF's b: still on the path of the whole old tree
  for (;;) {
    if (oldSize === end) {
      if (!whole) ranges.push({ start, end })
      break
    }
    const k = splitPoint(end - start)
    if (oldSize <= start + k) {
      ranges.push({ start: start + k, end })
      end = start + k
    } else {
      ranges.push({ start, end: start + k })
      start += k
      whole = false
    }
  }
  return planRanges(ranges.reverse())
}

/**
 * Appending leaf number `size`: the left siblings to read, and how to build every node that
 * becomes complete (the leaf itself first, then each new parent up the right edge).
 */
export function planAppend(size: number): {
  ids: readonly NodeId[]
  build(leaf: Uint8Array, hashes: readonly Uint8Array[]): StoredNode[]
} {
  checkCount('size', size)
  if (size + 1 > Number.MAX_SAFE_INTEGER) throw new TreeRangeError('out-of-range', `tree is full size=${size}`)
  const ids: NodeId[] = []
  let index = size
  for (let level = 0; index % 2 === 1; level++) {
    ids.push({ level, index: index - 1 })
    index = (index - 1) / 2
  }
  return {
    ids,
    build(leaf, hashes) {
      const nodes: StoredNode[] = [{ level: 0, index: size, hash: leaf }]
      let hash = leaf
      ids.forEach((id, i) => {
        hash = nodeHash(hashes[i] as Uint8Array, hash)
        nodes.push({ level: id.level + 1, index: id.index / 2, hash })
      })
      return nodes
    },
  }
}
