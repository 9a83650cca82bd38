import { err, ok, type Result } from '@donottrain/lexicon'
import { type BlockMap, cidToString, decodeNode, MstError } from '@donottrain/verifier'

export interface MstLeaf {
  /** The MST key: `<collection>/<rkey>`. */
  key: string
  /** The record CID. */
  cid: string
}

/** True when some key starting with a prefix may lie strictly between lo and hi (null: unbounded). */
function mayHold(lo: string | null, hi: string | null, prefixes: readonly string[]): boolean {
  for (const prefix of prefixes) {
    // Every key with this prefix is >= prefix and < prefix with its last character incremented.
    const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)
    if ((hi === null || prefix < hi) && (lo === null || lo < end)) return true
  }
  return false
}

/**
 * Every leaf under `root` whose key starts with one of `prefixes` (e.g. `app.bsky.feed.post/`),
 * visiting only the subtrees whose key range can hold such keys. Every node is decoded
 * strictly; a node missing from `blocks` or reached twice (not a tree) is an error. Each leaf
 * found should still be proven with walkPath / buildProofCar, which check the path's layers
 * and key ranges.
 */
export function listLeaves(root: string, blocks: BlockMap, prefixes: readonly string[]): Result<MstLeaf[], MstError> {
  const leaves: MstLeaf[] = []
  const seen = new Set<string>()
  const stack: Array<{ cid: string; lo: string | null; hi: string | null }> = [{ cid: root, lo: null, hi: null }]
  while (stack.length > 0) {
    const { cid, lo, hi } = stack.pop() as { cid: string; lo: string | null; hi: string | null }
    if (seen.has(cid)) return err(new MstError('InvalidTree', `mst node reached twice cid=${cid}`))
    seen.add(cid)
    const bytes = blocks.get(cid)
    if (bytes === undefined) return err(new MstError('MissingBlock', `mst node missing from blocks cid=${cid}`))
    const node = decodeNode(bytes)
    if (!node.ok) return err(new MstError(node.error.code, `${node.error.message} cid=${cid}`))
    const { entries, left } = node.value
    let lower = lo
    const visit = (child: Uint8Array | null, upper: string | null) => {
      if (child !== null && mayHold(lower, upper, prefixes))
        stack.push({ cid: cidToString(child), lo: lower, hi: upper })
    }
    visit(left, entries[0]?.key ?? hi)
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as (typeof entries)[number]
      if (prefixes.some((p) => entry.key.startsWith(p))) leaves.push({ key: entry.key, cid: cidToString(entry.value) })
      lower = entry.key
      visit(entry.right, entries[i + 1]?.key ?? hi)
    }
  }
  return ok(leaves)
}
