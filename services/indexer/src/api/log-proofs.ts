import type { AiDonottrainLogDefs } from '@donottrain/lexicon'
import { toBase64 } from '@donottrain/verifier'
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

/** Sets each listed declaration's `logIndex`: the leaf of the change that wrote that version. */
export async function attachLogIndexes(
  statuses: ReadonlyArray<{ status: StatusView; seqs: readonly number[] }>,
  log: LogStore,
): Promise<void> {
  const seqs = statuses.flatMap((s) => s.seqs)
  if (seqs.length === 0) return
  const leaves = await log.leafIndexes([...new Set(seqs)])
  for (const { status, seqs: own } of statuses) {
    status.declarations.forEach((d, i) => {
      const leaf = leaves.get(own[i] as number)
      if (leaf !== undefined) d.logIndex = leaf
    })
  }
}

/**
 * Adds the signed checkpoint and, for each declaration with a logIndex, its inclusion proof to
 * that checkpoint. When a declaration is newer than the newest checkpoint, a checkpoint is
 * signed now (the checkpointer coalesces concurrent requests), so every answer is provable.
 */
export async function attachInclusionProofs(
  statuses: readonly StatusView[],
  tlog: TlogDeps,
  at?: LogCheckpointTable,
): Promise<void> {
  const indexes = statuses.flatMap((s) => s.declarations.map((d) => d.logIndex).filter((i) => i !== undefined))
  let cp = at ?? (await tlog.store.latestCheckpoint())
  if (!at && (!cp || indexes.some((i) => i >= (cp as LogCheckpointTable).size)))
    cp = await tlog.checkpointer.checkpoint()
  if (!cp) return
  const size = cp.size
  const view = checkpointView(cp, tlog)
  const proofs = new Map<number, AiDonottrainLogDefs.InclusionProof>()
  for (const index of new Set(indexes)) {
    if (index >= size) continue
    const [leaf] = await tlog.store.entries(index, 1)
    if (!leaf) continue
    const hashes = await tlog.store.inclusionProof(size, index)
    proofs.set(index, { leafIndex: index, treeSize: size, leafHash: toBase64(leaf.hash), hashes: hashes.map(toBase64) })
  }
  for (const status of statuses) {
    status.checkpoint = view
    status.inclusions = status.declarations.flatMap((d) => {
      const p = d.logIndex === undefined ? undefined : proofs.get(d.logIndex)
      return p ? [p] : []
    })
  }
}
