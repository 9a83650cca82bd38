import { inclusionRanges, type LeafRange, planRanges } from '@donottrain/verifier'

/** Synchronous range reads of the stored tree (the status path's read-only SQLite connection). */
export interface TreeRows {
  /**
   * The hashes of stored nodes of `level` (0: leaf hashes) from `start` on, below `end`, as one
   * run of 32-byte hashes in index order; it stops at the first node the store does not hold.
   */
  nodeRun(level: number, start: number, end: number): Uint8Array
}

/** Memory the tree may take by default: every node of a log of 1M leaves (2M hashes). */
export const DEFAULT_TREE_MEMORY = 64 * 1024 * 1024
/** Nodes read per query while filling a level (a few ms of reads between yields). */
const FILL_CHUNK = 16_384
/** Further nodes a request may read synchronously to extend a filled level (the log grew). */
const CATCH_UP = 1024
const HASH = 32

type Level = { buf: Buffer; count: number }

/**
 * A log's tree nodes for inclusion proofs, from memory. The levels from `memoryLevel` up are held
 * as flat arrays, filled from the store in the background (`warm`) and extended as the log grows;
 * `memoryLevel` is the lowest level at which they fit the budget (0, every node, for a log of up
 * to 1M leaves with the default 64 MB; one level more for each doubling after that). A node below
 * it, or not filled yet, is one read of the store. Stored nodes are complete subtrees and never
 * change, so nothing is ever invalidated.
 */
export class TreeMemory {
  private levels: Array<Level | undefined> = []
  private memoryLevel = -1
  /** Roots of the right edge's partial ranges at `edgeSize` (the same for every proof at a size). */
  private edge = new Map<number, Uint8Array>()
  private edgeSize = -1
  private warming: Promise<void> | undefined

  constructor(
    readonly rows: TreeRows,
    private readonly budget = DEFAULT_TREE_MEMORY,
  ) {}

  /** Bytes held in memory. */
  get bytes(): number {
    let n = 0
    for (const l of this.levels) n += l?.buf.length ?? 0
    return n
  }

  /** The lowest level held in memory for a tree of `size` leaves (about 2 · size / 2^level hashes). */
  levelFor(size: number): number {
    let level = 0
    while ((2 * size * HASH) / 2 ** level > this.budget) level++
    return level
  }

  /**
   * RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves (siblings from the
   * leaf up), with the leaf's hash; undefined when the store lacks a node the proof needs.
   */
  inclusion(index: number, size: number): { leaf: Uint8Array; path: Uint8Array[] } | undefined {
    if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return undefined
    if (size !== this.edgeSize) this.resize(size)
    const leaf = this.node(0, index)
    if (leaf.length !== HASH) return undefined
    const path: Uint8Array[] = []
    for (const range of inclusionRanges(index, size)) {
      const sibling = this.rangeRoot(range, size)
      if (sibling.length !== HASH) return undefined
      path.push(sibling)
    }
    return { leaf, path }
  }

  /**
   * Fills the levels held in memory from the store, top down, yielding between reads. Filling
   * only saves reads: if it fails (the store closed), requests read what is missing instead.
   */
  warm(): Promise<void> {
    this.warming ??= (async () => {
      for (let level = this.levels.length - 1; level >= 0 && level >= this.memoryLevel; level--) {
        const l = this.levels[level]
        while (l && this.levels[level] === l && this.fill(l, level, FILL_CHUNK) === FILL_CHUNK) {
          await new Promise((resolve) => setImmediate(resolve))
        }
      }
    })()
      .catch(() => {})
      .finally(() => {
        this.warming = undefined
      })
    return this.warming
  }

  /** A new tree size: forget its right edge; keep the levels that fit the budget, and warm new ones. */
  private resize(size: number) {
    this.edge = new Map()
    this.edgeSize = size
    const level = this.levelFor(size)
    this.memoryLevel = level
    const top = Math.max(level, Math.ceil(Math.log2(Math.max(size, 1))))
    let added = false
    for (let l = 0; l < level; l++) this.levels[l] = undefined
    for (let l = level; l <= top; l++) {
      if (this.levels[l]) continue
      this.levels[l] = { buf: Buffer.alloc(0), count: 0 }
      added = true
    }
    if (added) void this.warm()
  }

  /** The hash of the complete node (level, index); empty when the store does not hold it. */
  node(level: number, index: number): Uint8Array {
    const l = level >= this.memoryLevel ? this.levels[level] : undefined
    if (l) {
      if (index < l.count) return l.buf.subarray(index * HASH, (index + 1) * HASH)
      if (index - l.count < CATCH_UP) {
        this.fill(l, level, index + 1 - l.count)
        if (index < l.count) return l.buf.subarray(index * HASH, (index + 1) * HASH)
      }
    }
    const hash = this.rows.nodeRun(level, index, index + 1)
    return hash.length === HASH ? hash : new Uint8Array(0)
  }

  /** Appends up to `n` stored nodes to a level held in memory; returns how many were read. */
  private fill(l: Level, level: number, n: number): number {
    const run = this.rows.nodeRun(level, l.count, l.count + n)
    const read = Math.floor(run.length / HASH)
    const need = (l.count + read) * HASH
    if (need > l.buf.length) {
      const grown = Buffer.alloc(Math.max(need, l.buf.length * 2))
      l.buf.copy(grown, 0, 0, l.count * HASH)
      l.buf = grown
    }
    l.buf.set(run.subarray(0, read * HASH), l.count * HASH)
    l.count += read
    return read
  }

  /**
   * MTH(D[start:end]) for a range of PATH: a complete aligned subtree is one stored node; the
   * right edge's partial ranges fold their complete subtrees, once per tree size.
   */
  private rangeRoot(range: LeafRange, size: number): Uint8Array {
    const width = range.end - range.start
    const level = Math.log2(width)
    if (Number.isInteger(level) && range.start % width === 0) return this.node(level, range.start / width)
    const known = range.end === size ? this.edge.get(range.start) : undefined
    if (known) return known
    const plan = planRanges([range])
    const parts = plan.ids.map((id) => this.node(id.level, id.index))
    if (parts.some((h) => h.length !== HASH)) return new Uint8Array(0)
    const root = plan.build(parts)[0] as Uint8Array
    if (range.end === size) this.edge.set(range.start, root)
    return root
  }
}
