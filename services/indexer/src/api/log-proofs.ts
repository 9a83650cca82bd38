import type { AiDonottrainLogDefs } from '@donottrain/lexicon'
import { type HashReader, inclusionProof, type NodeId, toBase64 } from '@donottrain/verifier'
import type { Checkpointer } from '../tlog/checkpointer.js'
import type { LogStore } from '../tlog/log-store.js'
import type { LogCheckpointTable } from '../tlog/schema.js'
import { checkpointView } from './ai/donottrain/log/views.js'
import type { StatusView } from './status.js'

export interface TlogDeps {
  store: LogStore
  checkpointer: Checkpointer
  origin: string
  verifierKey: string
}

/** Nodes kept in memory per log (32-byte hashes: ~10 MB at most). */
const MAX_CACHED_NODES = 100_000
const ZERO_HASH = new Uint8Array(32)

/**
 * What proofs reuse across requests, per log: the newest checkpoint seen (with its view), and
 * tree nodes. Nodes are complete subtrees and never change once written, so they need no
 * invalidation; the checkpoint is replaced as soon as a newer one is seen.
 */
class ProofCache {
  checkpoint: { row: LogCheckpointTable; view: AiDonottrainLogDefs.CheckpointView } | undefined
  private readonly nodes = new Map<string, Uint8Array>()

  constructor(private readonly tlog: TlogDeps) {}

  remember(row: LogCheckpointTable) {
    if (!this.checkpoint || row.size > this.checkpoint.row.size) {
      this.checkpoint = { row, view: checkpointView(row, this.tlog) }
    }
    return this.checkpoint.row.size === row.size ? this.checkpoint : { row, view: checkpointView(row, this.tlog) }
  }

  /**
   * Inclusion proofs (and leaf hashes, the level-0 nodes) for these leaves in a tree of `size`,
   * reading every node no earlier request read in one batch.
   */
  async proofs(size: number, indexes: readonly number[]): Promise<Map<number, AiDonottrainLogDefs.InclusionProof>> {
    const out = new Map<number, AiDonottrainLogDefs.InclusionProof>()
    if (indexes.length === 0) return out
    // A proof's node plan depends on (index, size) only: collect the ids with placeholder hashes,
    // read the missing ones together, then build the proofs from the cache.
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
    const missing = [...wanted].filter(([key]) => !this.nodes.has(key)).map(([, id]) => id)
    const read = this.tlog.store.reader()
    for (let i = 0; i < missing.length; i += 200) {
      const batch = missing.slice(i, i + 200)
      const hashes = await (read.getNodes as NonNullable<HashReader['getNodes']>)(batch)
      batch.forEach((id, j) => {
        const hash = hashes[j]
        // A node the store does not hold is left out (the proof then fails loudly, below).
        if (hash && hash.length === 32) this.keep(nodeKey(id.level, id.index), hash)
      })
    }
    const cached: HashReader = {
      getNode: (level, index) => this.nodes.get(nodeKey(level, index)) ?? new Uint8Array(0),
      getNodes: (ids) => ids.map((id) => this.nodes.get(nodeKey(id.level, id.index)) ?? new Uint8Array(0)),
    }
    for (const index of indexes) {
      const leaf = this.nodes.get(nodeKey(0, index))
      if (!leaf) continue
      const hashes = await inclusionProof(size, index, cached)
      out.set(index, { leafIndex: index, treeSize: size, leafHash: toBase64(leaf), hashes: hashes.map(toBase64) })
    }
    return out
  }

  private keep(key: string, hash: Uint8Array) {
    if (this.nodes.size >= MAX_CACHED_NODES) {
      // Drop the oldest tenth; the upper levels (read by every proof) come back on the next read.
      let n = MAX_CACHED_NODES / 10
      for (const k of this.nodes.keys()) {
        if (n-- <= 0) break
        this.nodes.delete(k)
      }
    }
    this.nodes.set(key, hash)
  }
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
 * again when it is the one already cached.
 */
export async function attachInclusionProofs(
  statuses: readonly StatusView[],
  tlog: TlogDeps,
  at?: LogCheckpointTable,
  latestSize?: number | null,
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
  )
  for (const status of statuses) {
    status.checkpoint = cp.view
    status.inclusions = status.declarations.flatMap((d) => {
      const p = d.logIndex === undefined ? undefined : proofs.get(d.logIndex)
      return p ? [p] : []
    })
  }
}
