import type { AiDonottrainLogDefs } from '@donottrain/lexicon'
import { type HashReader, inclusionProof, type NodeId } from '@donottrain/verifier'
import type { Checkpointer } from '../tlog/checkpointer.js'
import type { LogStore } from '../tlog/log-store.js'
import type { LogCheckpointTable } from '../tlog/schema.js'
import { checkpointView } from './ai/donottrain/log/views.js'
import type { StatusView } from './status.js'
import { TreeMemory, type TreeRows } from './tree-memory.js'

export interface TlogDeps {
  store: LogStore
  checkpointer: Checkpointer
  origin: string
  verifierKey: string
}

/**
 * Nodes at this level and above (each the root of 2^10 leaves or more) stay in memory for good:
 * every proof reads them and there are few (n / 1024 at most).
 */
const UPPER_LEVEL = 10
/** Bound on those (32-byte hashes: ~30 MB at most, a log of 10^9 leaves). */
const MAX_UPPER_NODES = 1_000_000
/** Nodes below UPPER_LEVEL kept in memory per log (~10 MB at most), oldest dropped first. */
const MAX_LOWER_NODES = 100_000
const ZERO_HASH = new Uint8Array(32)

/**
 * What proofs reuse across requests, per log: the newest checkpoint seen (with its view), and
 * tree nodes. Nodes are complete subtrees and never change once written, so they need no
 * invalidation; the checkpoint is replaced as soon as a newer one is seen.
 */
class ProofCache {
  checkpoint: { row: LogCheckpointTable; view: AiDonottrainLogDefs.CheckpointView } | undefined
  private readonly upper = new Map<string, Uint8Array>()
  private readonly lower = new Map<string, Uint8Array>()
  private memory: TreeMemory | undefined

  constructor(private readonly tlog: TlogDeps) {}

  remember(row: LogCheckpointTable) {
    if (!this.checkpoint || row.size > this.checkpoint.row.size) {
      this.checkpoint = { row, view: checkpointView(row, this.tlog) }
    }
    return this.checkpoint.row.size === row.size ? this.checkpoint : { row, view: checkpointView(row, this.tlog) }
  }

  private get(key: string, level: number): Uint8Array | undefined {
    return level >= UPPER_LEVEL ? this.upper.get(key) : this.lower.get(key)
  }

  /**
   * Inclusion proofs (and leaf hashes, the level-0 nodes) for these leaves in a tree of `size`:
   * from the tree in memory when `direct` rows are given (see TreeMemory), else reading every
   * node no earlier request read, in batches, through the log store.
   */
  async proofs(
    size: number,
    indexes: readonly number[],
    direct?: TreeRows,
  ): Promise<Map<number, AiDonottrainLogDefs.InclusionProof>> {
    const out = new Map<number, AiDonottrainLogDefs.InclusionProof>()
    if (indexes.length === 0) return out
    if (direct) {
      if (this.memory?.rows !== direct) this.memory = new TreeMemory(direct)
      for (const index of indexes) {
        const proof = this.memory.inclusion(index, size)
        if (!proof) continue
        out.set(index, {
          leafIndex: index,
          treeSize: size,
          leafHash: base64(proof.leaf),
          hashes: proof.path.map(base64),
        })
      }
      return out
    }
    // A proof's node plan depends on (index, size) only: collect the ids with placeholder hashes,
    // read the missing ones together, then build the proofs from what was read and the cache.
    const wanted = new Map<string, NodeId>()
    const recorder: HashReader = {
      getNode: () => ZERO_HASH,
      getNodes: (ids) => {
        for (const id of ids) wanted.set(nodeKey(id.level, id.index), id)
        return ids.map(() => ZERO_HASH)
      },
    }
    for (const index of indexes) {
      wanted.set(nodeKey(0, index), { level: 0, index })
      await inclusionProof(size, index, recorder)
    }
    const got = new Map<string, Uint8Array>()
    const missing: Array<[string, NodeId]> = []
    for (const [key, id] of wanted) {
      const hit = this.get(key, id.level)
      if (hit) got.set(key, hit)
      else missing.push([key, id])
    }
    const keep = (key: string, level: number, hash: Uint8Array | undefined) => {
      // A node the store does not hold is left out (the proof then fails loudly, below).
      if (hash?.length !== 32) return
      got.set(key, hash)
      this.keep(key, level, hash)
    }
    const reader = this.tlog.store.reader()
    for (let i = 0; i < missing.length; i += 200) {
      const batch = missing.slice(i, i + 200)
      const hashes = await (reader.getNodes as NonNullable<HashReader['getNodes']>)(batch.map(([, id]) => id))
      for (const [j, [key, id]] of batch.entries()) keep(key, id.level, hashes[j])
    }
    const known: HashReader = {
      getNode: (level, index) => got.get(nodeKey(level, index)) ?? new Uint8Array(0),
      getNodes: (ids) => ids.map((id) => got.get(nodeKey(id.level, id.index)) ?? new Uint8Array(0)),
    }
    for (const index of indexes) {
      const leaf = got.get(nodeKey(0, index))
      if (!leaf) continue
      const hashes = await inclusionProof(size, index, known)
      out.set(index, { leafIndex: index, treeSize: size, leafHash: base64(leaf), hashes: hashes.map(base64) })
    }
    return out
  }

  private keep(key: string, level: number, hash: Uint8Array) {
    if (level >= UPPER_LEVEL) {
      if (this.upper.size < MAX_UPPER_NODES) this.upper.set(key, hash)
      return
    }
    if (this.lower.size >= MAX_LOWER_NODES) {
      // Drop the oldest tenth.
      let n = MAX_LOWER_NODES / 10
      for (const k of this.lower.keys()) {
        if (n-- <= 0) break
        this.lower.delete(k)
      }
    }
    this.lower.set(key, hash)
  }
}

/** Standard base64 with padding (what toBase64 writes), natively. */
function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}

const caches = new WeakMap<LogStore, ProofCache>()

function cacheOf(tlog: TlogDeps): ProofCache {
  let cache = caches.get(tlog.store)
  if (!cache) {
    cache = new ProofCache(tlog)
    caches.set(tlog.store, cache)
  }
  return cache
}

function nodeKey(level: number, index: number): string {
  return `${level}/${index}`
}

/**
 * Adds the signed checkpoint and, for each declaration with a logIndex, its inclusion proof to
 * that checkpoint. When a declaration is newer than the newest checkpoint, a checkpoint is
 * signed now (the checkpointer coalesces concurrent requests), so every answer is provable.
 * `latestSize`, when the caller read it with its rows, spares reading the newest checkpoint
 * again when it is the one already cached; `direct` reads the tree synchronously when it can.
 */
export async function attachInclusionProofs(
  statuses: readonly StatusView[],
  tlog: TlogDeps,
  at?: LogCheckpointTable,
  latestSize?: number | null,
  direct?: TreeRows,
): Promise<void> {
  const cache = cacheOf(tlog)
  const indexes: number[] = []
  for (const s of statuses) for (const d of s.declarations) if (d.logIndex !== undefined) indexes.push(d.logIndex)
  let cp: { row: LogCheckpointTable; view: AiDonottrainLogDefs.CheckpointView } | undefined
  if (at) cp = cache.remember(at)
  else {
    const known = cache.checkpoint
    if (known && latestSize !== undefined && latestSize === known.row.size) cp = known
    else {
      const row = await tlog.store.latestCheckpoint()
      cp = row && cache.remember(row)
    }
    if (!cp || indexes.some((i) => i >= (cp as { row: LogCheckpointTable }).row.size)) {
      cp = cache.remember(await tlog.checkpointer.checkpoint())
    }
  }
  if (!cp) return
  const size = cp.row.size
  const proofs = await cache.proofs(
    size,
    [...new Set(indexes)].filter((i) => i < size),
    direct,
  )
  for (const status of statuses) {
    status.checkpoint = cp.view
    status.inclusions = status.declarations.flatMap((d) => {
      const p = d.logIndex === undefined ? undefined : proofs.get(d.logIndex)
      return p ? [p] : []
    })
  }
}
