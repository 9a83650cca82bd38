import { cidToString } from './cid.js'
import { MstError } from './errors.js'
import { isValidMstKey, keyHeight } from './key.js'
import { decodeNode } from './node-codec.js'
import { err, ok, type Result } from './result.js'
import type { BlockMap, MstNode } from './types.js'

/** The nodes from the root to where a key is, or would be, and the key's value if present. */
export type MstPath = {
  /** CIDs of the MST nodes visited, root first: the blocks that prove presence or absence. */
  nodes: string[]
  /** The value (record) CID at the key, or null when the tree proves the key absent. */
  value: string | null
}

const invalid = (message: string) => err(new MstError('InvalidTree', message))

/** Loads and strictly decodes one node; MissingBlock when the map does not hold it. */
export function loadNode(blocks: BlockMap, cid: string): Result<MstNode, MstError> {
  const bytes = blocks.get(cid)
  if (bytes === undefined) return err(new MstError('MissingBlock', `mst node missing from blocks cid=${cid}`))
  const node = decodeNode(bytes)
  if (!node.ok) node.error.message += ` cid=${cid}`
  return node
}

/**
 * Checks what can be checked of a node on a path: it is not empty (below the root), a layer-0
 * node has no subtrees, every key has the node's layer as its height, and its keys fall strictly
 * between the keys that bound its place in the parent.
 */
function checkNode(
  node: MstNode,
  cid: string,
  layer: number,
  lower: string | null,
  upper: string | null,
): Result<void, MstError> {
  const { entries } = node
  if (layer < 0) return invalid(`mst deeper than its root layer allows cid=${cid}`)
  if (entries.length === 0 && node.left === null) return invalid(`empty mst node below the root cid=${cid}`)
  if (layer === 0 && (node.left !== null || entries.some((entry) => entry.right !== null))) {
    return invalid(`layer 0 mst node has a subtree cid=${cid}`)
  }
  for (const entry of entries) {
    const height = keyHeight(entry.key)
    if (height !== layer) return invalid(`mst key at wrong layer key=${entry.key} height=${height} layer=${layer}`)
  }
  const first = entries[0]?.key
  const last = entries[entries.length - 1]?.key
  if (
    (lower !== null && first !== undefined && first <= lower) ||
    (upper !== null && last !== undefined && last >= upper)
  ) {
    return invalid(`mst node keys outside their parent's range cid=${cid}`)
  }
  return ok(undefined)
}

/**
 * Walks from root towards key, checking every node on the way (canonical encoding, layers,
 * key ranges, a trimmed root). The walk proves presence or absence of the key under the root.
 */
export function walkPath(root: string, key: string, blocks: BlockMap): Result<MstPath, MstError> {
  if (!isValidMstKey(key)) return err(new MstError('InvalidKey', `invalid mst key key=${JSON.stringify(key)}`))
  const nodes: string[] = [root]
  const rootNode = loadNode(blocks, root)
  if (!rootNode.ok) return rootNode
  let node = rootNode.value
  const firstKey = node.entries[0]?.key
  if (firstKey === undefined) {
    if (node.left !== null) return invalid(`mst root has no entries but a subtree (untrimmed) cid=${root}`)
    return ok({ nodes, value: null })
  }
  let cid = root
  let layer = keyHeight(firstKey)
  let lower: string | null = null
  let upper: string | null = null
  for (;;) {
    const checked = checkNode(node, cid, layer, lower, upper)
    if (!checked.ok) return checked
    const { entries } = node
    let i = 0
    while (i < entries.length && (entries[i]?.key as string) < key) i++
    const found = entries[i]
    if (found !== undefined && found.key === key) return ok({ nodes, value: cidToString(found.value) })
    const before = i === 0 ? undefined : entries[i - 1]
    const child = before === undefined ? node.left : before.right
    if (child === null) return ok({ nodes, value: null })
    if (before !== undefined) lower = before.key
    if (found !== undefined) upper = found.key
    cid = cidToString(child)
    nodes.push(cid)
    const loaded = loadNode(blocks, cid)
    if (!loaded.ok) return loaded
    node = loaded.value
    layer--
  }
}

/** The value CID stored at key under root, or null when absent. */
export function lookup(root: string, key: string, blocks: BlockMap): Result<string | null, MstError> {
  const path = walkPath(root, key, blocks)
  return path.ok ? ok(path.value.value) : path
}

/**
 * The CIDs that prove key's presence or absence under root: the MST nodes on its path, then the
 * value (record) CID when present. Copy these blocks, with the signed commit, into a proof CAR.
 */
export function provePath(root: string, key: string, blocks: BlockMap): Result<string[], MstError> {
  const path = walkPath(root, key, blocks)
  if (!path.ok) return path
  return ok(path.value.value === null ? path.value.nodes : [...path.value.nodes, path.value.value])
}
