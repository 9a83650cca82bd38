import type { AiDonottrainDefs } from '@donottrain/lexicon'
import type { ChangeRow } from '../db/queries.js'

/** Cursors are decimal change seqs; anything else was not produced by this indexer. */
export function parseSeqCursor(cursor: string): number | null {
  if (!/^(0|[1-9][0-9]{0,14})$/.test(cursor)) return null
  return Number(cursor)
}

/** The lexicon view (ai.donottrain.defs#declarationChange) of a change row. */
export function changeView(row: ChangeRow): AiDonottrainDefs.DeclarationChange {
  return {
    seq: row.seq,
    kind: row.kind,
    did: row.did,
    ...(row.uri !== null && { uri: row.uri }),
    ...(row.cid !== null && { cid: row.cid }),
    ...(row.rev !== null && { rev: row.rev }),
    indexedAt: row.indexed_at,
    ...(row.view !== null && { declaration: JSON.parse(row.view) }),
  }
}
