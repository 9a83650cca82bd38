import type { AiDonottrainLogDefs } from '@donottrain/lexicon'
import { toBase64 } from '@donottrain/verifier'
import type { LogCheckpointTable } from '../../../../tlog/schema.js'

export function checkpointView(
  cp: LogCheckpointTable,
  log: { origin: string; verifierKey: string },
): AiDonottrainLogDefs.CheckpointView {
  return {
    origin: log.origin,
    size: cp.size,
    rootHash: toBase64(cp.root),
    note: cp.note,
    verifierKey: log.verifierKey,
    createdAt: cp.created_at,
  }
}
