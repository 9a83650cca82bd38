import { type HashReader, readNodesSync, TreeRangeError } from './hash-reader.js'
import { HASH_SIZE, leafHash } from './merkle.js'
import { checkCount, planAppend, planConsistency, planInclusion, planRoot } from './tree-plan.js'

/**
 * An append-only Merkle tree held in memory as complete subtrees, the reference HashReader.
 * Every operation is O(log n); roots and proofs can be asked for any past size.
 */
export class MemoryTree implements HashReader {
  readonly #levels: Uint8Array[][] = []

  /** Number of leaves. */
  get size(): number {
    return this.#levels[0]?.length ?? 0
  }

  /** Appends leaf data (hashed as SHA-256(0x00 || data)); returns the leaf index. */
  append(data: Uint8Array): number {
    return this.appendLeafHash(leafHash(data))
  }

  /** Appends an already computed leaf hash; returns the leaf index. */
  appendLeafHash(hash: Uint8Array): number {
    if (hash.length !== HASH_SIZE) {
      throw new TreeRangeError('invalid-argument', `leaf hash must be ${HASH_SIZE} bytes length=${hash.length}`)
    }
    const index = this.size
    const plan = planAppend(index)
    for (const node of plan.build(hash.slice(), readNodesSync(this, plan.ids))) {
      let level = this.#levels[node.level]
      if (!level) {
        level = []
        this.#levels[node.level] = level
      }
      level[node.index] = node.hash
    }
    return index
  }

  getNode(level: number, index: number): Uint8Array {
    const hash = this.#levels[level]?.[index]
    if (!hash) {
      throw new TreeRangeError('out-of-range', `no complete subtree level=${level} index=${index} size=${this.size}`)
    }
    return hash
  }

  /** The root of the tree as it was at `size` leaves (default: now). */
  rootAt(size: number = this.size): Uint8Array {
    this.#checkSize(size)
    const plan = planRoot(size)
    return plan.build(readNodesSync(this, plan.ids))[0] as Uint8Array
  }

  /** Inclusion proof of leaf `index` in the tree of `size` leaves (default: now). */
  inclusionProof(index: number, size: number = this.size): Uint8Array[] {
    this.#checkSize(size)
    const plan = planInclusion(index, size)
    return plan.build(readNodesSync(this, plan.ids))
  }

  /** Consistency proof between two sizes (newSize default: now). */
  consistencyProof(oldSize: number, newSize: number = this.size): Uint8Array[] {
    this.#checkSize(newSize)
    const plan = planConsistency(oldSize, newSize)
    return plan.build(readNodesSync(this, plan.ids))
  }

  #checkSize(size: number): void {
    checkCount('size', size)
    if (size > this.size) {
      throw new TreeRangeError('out-of-range', `size above tree size size=${size} treeSize=${this.size}`)
    }
  }
}
