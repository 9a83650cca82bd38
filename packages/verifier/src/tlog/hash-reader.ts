import { HASH_SIZE } from './merkle.js'
import { TlogError } from './result.js'

/**
 * A node of the tree stored as a complete subtree: the node at `level` L and `index` i is the
 * Merkle Tree Hash of leaves [i * 2^L, (i + 1) * 2^L). Level 0 holds the leaf hashes. Only
 * complete subtrees are ever stored, so a node never changes once written and the tree can be
 * kept in any append-only store (an SQL table keyed by (level, index), C2SP tlog-tiles, memory).
 */
export interface NodeId {
  readonly level: number
  readonly index: number
}

export interface StoredNode extends NodeId {
  readonly hash: Uint8Array
}

/**
 * Where proofs read node hashes from. `getNode` must return the 32-byte hash of a complete
 * subtree the tree holds; callers only ask for nodes inside the tree size they pass. `getNodes`,
 * when present, is used to read every node of one proof in a single call (one query).
 */
export interface HashReader {
  getNode(level: number, index: number): Promise<Uint8Array> | Uint8Array
  getNodes?(ids: readonly NodeId[]): Promise<readonly Uint8Array[]> | readonly Uint8Array[]
}

export type TreeRangeCode = 'invalid-argument' | 'out-of-range'

/** A caller asked for something outside the tree (a programming error: thrown). */
export class TreeRangeError extends TlogError<TreeRangeCode> {
  override name = 'TreeRangeError'
}

/** The storage returned something that is not a node hash (thrown). */
export class TreeStorageError extends TlogError<'bad-node' | 'missing-node'> {
  override name = 'TreeStorageError'
}

function checkNode(id: NodeId, hash: unknown): Uint8Array {
  if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) {
    throw new TreeStorageError('bad-node', `storage returned a bad node level=${id.level} index=${id.index}`)
  }
  return hash
}

/** Reads the nodes of one plan, in order, through the reader's batch method when it has one. */
export async function readNodes(reader: HashReader, ids: readonly NodeId[]): Promise<Uint8Array[]> {
  if (ids.length === 0) return []
  if (reader.getNodes) {
    const hashes = await reader.getNodes(ids)
    if (hashes.length !== ids.length) {
      throw new TreeStorageError('bad-node', `storage returned ${hashes.length} nodes for ${ids.length} ids`)
    }
    return ids.map((id, i) => checkNode(id, hashes[i]))
  }
  const hashes = await Promise.all(ids.map((id) => reader.getNode(id.level, id.index)))
  return ids.map((id, i) => checkNode(id, hashes[i]))
}

/** Reads nodes from a reader known to be synchronous (such as MemoryTree). */
export function readNodesSync(
  reader: { getNode(level: number, index: number): Uint8Array },
  ids: readonly NodeId[],
): Uint8Array[] {
  return ids.map((id) => checkNode(id, reader.getNode(id.level, id.index)))
}
