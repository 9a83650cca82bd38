import { type HashReader, readNodes, type StoredNode, TreeRangeError } from './hash-reader.js'
import { HASH_SIZE } from './merkle.js'
import { planAppend, planConsistency, planInclusion, planRoot } from './tree-plan.js'

/**
 * Proof generation over any HashReader, in O(log n) node reads (one batched read each).
 * Sizes must not exceed the size of the stored tree: the reader is only asked for complete
 * subtrees inside the size given, and throws (or returns a bad node) if it lacks one.
 */

/** MTH(D[0:size]) of the stored tree. */
export async function rootAt(size: number, reader: HashReader): Promise<Uint8Array> {
  const plan = planRoot(size)
  return plan.build(await readNodes(reader, plan.ids))[0] as Uint8Array
}

/** RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves. */
export async function inclusionProof(size: number, index: number, reader: HashReader): Promise<Uint8Array[]> {
  const plan = planInclusion(index, size)
  return plan.build(await readNodes(reader, plan.ids))
}

/** RFC 9162 consistency proof from `oldSize` to `newSize` (empty if oldSize is 0 or equal). */
export async function consistencyProof(oldSize: number, newSize: number, reader: HashReader): Promise<Uint8Array[]> {
  const plan = planConsistency(oldSize, newSize)
  return plan.build(await readNodes(reader, plan.ids))
}

/**
 * The nodes to store when appending a leaf hash to a tree of `size` leaves: the leaf (level 0,
 * index `size`) and each parent that becomes complete. Write them all in the same transaction
 * as the leaf; the new size is `size + 1`.
 */
export async function appendNodes(size: number, leaf: Uint8Array, reader: HashReader): Promise<StoredNode[]> {
  if (leaf.length !== HASH_SIZE) {
    throw new TreeRangeError('invalid-argument', `leaf hash must be ${HASH_SIZE} bytes length=${leaf.length}`)
  }
  const plan = planAppend(size)
  return plan.build(leaf, await readNodes(reader, plan.ids))
}
