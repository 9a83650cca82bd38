import { type AiDonottrainDefs, ids, SCOPE_TYPES, type Scope } from '@donottrain/lexicon'
import type { DeclarationTable } from './db/schema.js'

export type DeclarationView = AiDonottrainDefs.DeclarationView

const RECORD_TARGET = `${ids.AiDonottrainDefs}#recordTarget` as const

/** The scope of a stored row, as the normalised Scope of the verdict model. */
export function rowScope(
  row: Pick<DeclarationTable, 'scope_type' | 'scope_target' | 'scope_cid' | 'origin_verified'>,
): Scope {
  switch (row.scope_type) {
    case 'collection':
      return { type: 'collection', collection: row.scope_target ?? '' }
    case 'record':
      return row.scope_cid
        ? { type: 'record', uri: row.scope_target ?? '', cid: row.scope_cid }
        : { type: 'record', uri: row.scope_target ?? '' }
    case 'origin':
      return { type: 'origin', origin: row.scope_target ?? '', verified: row.origin_verified === 1 }
    default:
      return { type: 'account' }
  }
}

/** The lexicon view (ai.donottrain.defs#declarationView) of a stored declaration. */
export function toDeclarationView(row: Omit<DeclarationTable, 'proof' | 'seq'>): DeclarationView {
  const scope = rowScope(row)
  return {
    $type: `${ids.AiDonottrainDefs}#declarationView`,
    uri: row.uri,
    cid: row.cid,
    did: row.did,
    source: row.source,
    scope: scopeView(scope),
    preferences: JSON.parse(row.preferences),
    ...(scope.type === 'origin' && { originVerified: scope.verified }),
    ...(row.statement !== null && { statement: row.statement }),
    ...(row.license_uri !== null && { licenseUri: row.license_uri }),
    rev: row.rev,
    ...(row.created_at !== null && { createdAt: row.created_at }),
    indexedAt: row.indexed_at,
  }
}

function scopeView(scope: Scope): DeclarationView['scope'] {
  switch (scope.type) {
    case 'account':
      return { $type: SCOPE_TYPES.account }
    case 'collection':
      return { $type: SCOPE_TYPES.collection, collection: scope.collection }
    case 'record':
      return {
        $type: RECORD_TARGET,
        uri: scope.uri,
        ...(scope.cid !== undefined && { cid: scope.cid }),
      }
    case 'origin':
      return { $type: SCOPE_TYPES.origin, origin: scope.origin }
  }
}
