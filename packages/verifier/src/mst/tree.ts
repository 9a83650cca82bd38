import { cidEquals, cidForDagCbor, cidToString } from './cid.js'
import { MstError } from './errors.js'
import { keyHeight } from './key.js'
import { decodeNode, encodeNode } from './node-codec.js'
import type { BlockMap, MstEntry } from './types.js'

// An editable MST over a block map. Nodes load lazily on first touch and are never changed in
// place: an edit copies the nodes on its path, so untouched subtrees keep their CIDs (and are
// never re-encoded), and only the copies are encoded and hashed by rootCid().
// Internal functions throw MstError; the exported entry points turn it into a Result.

/** A subtree: a CID not yet loaded, a node in memory, or nothing. */
type Child = Uint8Array | TreeNode | null

type TreeEntry = { key: string; value: Uint8Array; right: Child }

type TreeNode = {
  left: Child
  entries: TreeEntry[]
  /** The node's CID while it is as loaded (or once encoded); null for an edited copy. */
  cid: Uint8Array | null
}

function fail(code: MstError['code'], message: string): never {
  throw new MstError(code, message)
}

/** The index of the first entry whose key is >= key. */
function search(entries: TreeEntry[], key: string): number {
  let lo = 0
  let hi = entries.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((entries[mid] as TreeEntry).key < key) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** The subtree between entries i-1 and i. */
const gapAt = (node: TreeNode, i: number): Child => (i === 0 ? node.left : (node.entries[i - 1] as TreeEntry).right)

/** A node, or null when it would hold nothing. */
const make = (left: Child, entries: TreeEntry[]): TreeNode | null =>
  entries.length === 0 && left === null ? null : { left, entries, cid: null }

/** Puts child in the gap before entry i of a copy (left and entries are the copy's, mutated). */
function setGap(copy: { left: Child; entries: TreeEntry[] }, i: number, child: Child): void {
  if (i === 0) copy.left = child
  else {
    const before = copy.entries[i - 1] as TreeEntry
    copy.entries[i - 1] = { key: before.key, value: before.value, right: child }
  }
}

export class MstEditor {
  readonly #blocks: BlockMap
  readonly #loaded = new Map<string, TreeNode>()
  #root: Child = null
  #layer = 0

  private constructor(blocks: BlockMap) {
    this.#blocks = blocks
  }

  /** An empty tree. */
  static empty(): MstEditor {
    return new MstEditor(new Map())
  }

  /** The tree under root, read lazily from blocks. Throws MstError (MissingBlock, ...). */
  static load(root: Uint8Array, blocks: BlockMap): MstEditor {
    const editor = new MstEditor(blocks)
    const node = editor.#decode(root)
    const first = node.entries[0]
    if (first === undefined) {
      if (node.left !== null)
        fail('InvalidTree', `mst root has no entries but a subtree (untrimmed) cid=${cidToString(root)}`)
      return editor
    }
    editor.#layer = keyHeight(first.key)
    editor.#root = editor.#load(root, editor.#layer)
    return editor
  }

  #decode(cid: Uint8Array): TreeNode {
    const id = cidToString(cid)
    const cached = this.#loaded.get(id)
    if (cached !== undefined) return cached
    const bytes = this.#blocks.get(id)
    if (bytes === undefined) return fail('MissingBlock', `mst node missing from blocks cid=${id}`)
    const decoded = decodeNode(bytes)
    if (!decoded.ok) return fail('MalformedNode', `${decoded.error.message} cid=${id}`)
    const node: TreeNode = { left: decoded.value.left, entries: decoded.value.entries, cid }
    this.#loaded.set(id, node)
    return node
  }

  /** The node of a (non-null) subtree at layer, loading it when needed. */
  #load(child: Uint8Array | TreeNode, layer: number): TreeNode {
    if (!(child instanceof Uint8Array)) return child
    const node = this.#decode(child)
    if (layer < 0) fail('InvalidTree', `mst deeper than its root layer allows cid=${cidToString(child)}`)
    if (node.entries.length === 0 && node.left === null) {
      fail('InvalidTree', `empty mst node below the root cid=${cidToString(child)}`)
    }
    if (layer === 0 && (node.left !== null || node.entries.some((entry) => entry.right !== null))) {
      fail('InvalidTree', `layer 0 mst node has a subtree cid=${cidToString(child)}`)
    }
    return node
  }

  /** Adds key -> value; OpMismatch when the key is already present. */
  insert(key: string, value: Uint8Array): void {
    const height = keyHeight(key)
    const root = this.#root
    if (root === null) {
      this.#root = { left: null, entries: [{ key, value, right: null }], cid: null }
      this.#layer = height
      return
    }
    if (height > this.#layer) {
      let [lo, hi] = this.#split(root, this.#layer, key)
      for (let layer = this.#layer + 1; layer < height; layer++) {
        lo = make(lo, [])
        hi = make(hi, [])
      }
      this.#root = { left: lo, entries: [{ key, value, right: hi }], cid: null }
      this.#layer = height
      return
    }
    this.#root = this.#insertAt(root, this.#layer, key, height, value)
  }

  /** Removes key, which must hold expected; OpMismatch otherwise. */
  delete(key: string, expected: Uint8Array): void {
    const height = keyHeight(key)
    const root = this.#root
    if (root === null || height > this.#layer) fail('OpMismatch', `key not in mst key=${key}`)
    let next: Child = this.#deleteAt(root, this.#layer, key, height, expected)
    // trim the top: a root without entries is replaced by its only subtree
    while (next !== null) {
      const node = this.#load(next, this.#layer)
      if (node.entries.length > 0) break
      next = node.left
      this.#layer--
    }
    this.#root = next
  }

  /** Replaces the value of key, which must hold expected; OpMismatch otherwise. */
  update(key: string, expected: Uint8Array, value: Uint8Array): void {
    const height = keyHeight(key)
    const root = this.#root
    if (root === null || height > this.#layer) fail('OpMismatch', `key not in mst key=${key}`)
    this.#root = this.#updateAt(root, this.#layer, key, height, expected, value)
  }

  /**
   * The root CID, encoding and hashing the edited nodes. New node blocks are added to `collect`
   * when given (untouched subtrees are not: they are already in the source blocks).
   */
  rootCid(collect?: Map<string, Uint8Array>): Uint8Array {
    if (this.#root === null) {
      const bytes = encodeNode({ left: null, entries: [] })
      const cid = cidForDagCbor(bytes)
      collect?.set(cidToString(cid), bytes)
      return cid
    }
    return this.#finish(this.#root, collect)
  }

  #finish(child: Uint8Array | TreeNode, collect: Map<string, Uint8Array> | undefined): Uint8Array {
    if (child instanceof Uint8Array) return child
    if (child.cid !== null) return child.cid
    const left = child.left === null ? null : this.#finish(child.left, collect)
    const entries: MstEntry[] = child.entries.map((entry) => ({
      key: entry.key,
      value: entry.value,
      right: entry.right === null ? null : this.#finish(entry.right, collect),
    }))
    const bytes = encodeNode({ left, entries })
    const cid = cidForDagCbor(bytes)
    child.cid = cid
    collect?.set(cidToString(cid), bytes)
    return cid
  }

  #insertAt(child: Uint8Array | TreeNode, layer: number, key: string, height: number, value: Uint8Array): TreeNode {
    const node = this.#load(child, layer)
    const i = search(node.entries, key)
    if (node.entries[i]?.key === key) fail('OpMismatch', `key already in mst key=${key}`)
    const gap = gapAt(node, i)
    const copy = { left: node.left, entries: node.entries.slice() }
    if (height === layer) {
      const [lo, hi] = this.#split(gap, layer - 1, key)
      setGap(copy, i, lo)
      copy.entries.splice(i, 0, { key, value, right: hi })
    } else if (gap === null) {
      let chain: TreeNode = { left: null, entries: [{ key, value, right: null }], cid: null }
      for (let at = height + 1; at < layer; at++) chain = { left: chain, entries: [], cid: null }
      setGap(copy, i, chain)
    } else {
      setGap(copy, i, this.#insertAt(gap, layer - 1, key, height, value))
    }
    return { left: copy.left, entries: copy.entries, cid: null }
  }

  /** Splits a subtree at layer around key (which it must not hold) into the keys below and above. */
  #split(child: Child, layer: number, key: string): [Child, Child] {
    if (child === null) return [null, null]
    const node = this.#load(child, layer)
    const { entries } = node
    const i = search(entries, key)
    if (entries[i]?.key === key) fail('OpMismatch', `key already in mst key=${key}`)
    const gap = gapAt(node, i)
    const [lo, hi] = this.#split(gap, layer - 1, key)
    // the whole subtree on one side: keep it as it is (and its CID)
    if (i === entries.length && hi === null && lo === gap) return [child, null]
    if (i === 0 && lo === null && hi === gap) return [null, child]
    const below = { left: node.left, entries: entries.slice(0, i) }
    setGap(below, i, lo)
    return [make(below.left, below.entries), make(hi, entries.slice(i))]
  }

  #deleteAt(child: Uint8Array | TreeNode, layer: number, key: string, height: number, expected: Uint8Array): Child {
    const node = this.#load(child, layer)
    const i = search(node.entries, key)
    const gap = gapAt(node, i)
    const copy = { left: node.left, entries: node.entries.slice() }
    if (height === layer) {
      const found = node.entries[i]
      if (found?.key !== key) return fail('OpMismatch', `key not in mst key=${key}`)
      if (!cidEquals(found.value, expected)) {
        fail('OpMismatch', `mst value differs from op key=${key} value=${cidToString(found.value)}`)
      }
      const merged = this.#merge(gap, found.right, layer - 1)
      copy.entries.splice(i, 1)
      setGap(copy, i, merged)
    } else {
      if (gap === null) return fail('OpMismatch', `key not in mst key=${key}`)
      setGap(copy, i, this.#deleteAt(gap, layer - 1, key, height, expected))
    }
    return make(copy.left, copy.entries)
  }

  /** Joins two adjacent subtrees at layer (every key of a below every key of b). */
  #merge(a: Child, b: Child, layer: number): Child {
    if (a === null) return b
    if (b === null) return a
    const first = this.#load(a, layer)
    const second = this.#load(b, layer)
    const last = first.entries.length
    const middle = this.#merge(gapAt(first, last), second.left, layer - 1)
    const joined = { left: first.left, entries: first.entries.slice() }
    setGap(joined, last, middle)
    for (const entry of second.entries) joined.entries.push(entry)
    return { left: joined.left, entries: joined.entries, cid: null }
  }

  #updateAt(
    child: Uint8Array | TreeNode,
    layer: number,
    key: string,
    height: number,
    expected: Uint8Array,
    value: Uint8Array,
  ): TreeNode {
    const node = this.#load(child, layer)
    const i = search(node.entries, key)
    const entries = node.entries.slice()
    if (height === layer) {
      const found = node.entries[i]
      if (found?.key !== key) return fail('OpMismatch', `key not in mst key=${key}`)
      if (!cidEquals(found.value, expected)) {
        fail('OpMismatch', `mst value differs from op key=${key} value=${cidToString(found.value)}`)
      }
      entries[i] = { key, value, right: found.right }
      return { left: node.left, entries, cid: null }
    }
    const gap = gapAt(node, i)
    if (gap === null) return fail('OpMismatch', `key not in mst key=${key}`)
    const copy = { left: node.left, entries }
    setGap(copy, i, this.#updateAt(gap, layer - 1, key, height, expected, value))
    return { left: copy.left, entries: copy.entries, cid: null }
  }
}
