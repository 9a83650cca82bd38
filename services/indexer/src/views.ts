import { type AiDonottrainDefs, ids, SCOPE_TYPES, type Scope } from '@donottrain/lexicon'
import type { DeclarationTable } from './db/schema.js'

export type DeclarationView = AiDonottrainDefs.DeclarationView

const RECORD_TARGET = `${ids.AiDonottrainDefs}#recordTarget` as const
const DECLARATION_VIEW = `${ids.AiDonottrainDefs}#declarationView` as const

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

/** The columns a declaration view is made of. */
export type ViewColumns = Pick<
  DeclarationTable,
  | 'uri'
  | 'cid'
  | 'did'
  | 'source'
  | 'scope_type'
  | 'scope_target'
  | 'scope_cid'
  | 'origin_verified'
  | 'statement'
  | 'license_uri'
  | 'rev'
  | 'created_at'
  | 'indexed_at'
>

/** The lexicon view (ai.donottrain.defs#declarationView) of a stored declaration. */
export function toDeclarationView(row: ViewColumns & Pick<DeclarationTable, 'preferences'>): DeclarationView {
  return declarationView(row, JSON.parse(row.preferences))
}

/** The same, for a row whose preferences are already parsed (shared with the view, not copied). */
export function declarationView(row: ViewColumns, preferences: DeclarationView['preferences']): DeclarationView {
  const scope = rowScope(row)
  // Assigned field by field in the order the views were always written in (their JSON is stored
  // with each change); checkSubjects builds 2,000 of these per call, spreads cost.
  const view = {
    $type: DECLARATION_VIEW,
    uri: row.uri,
    cid: row.cid,
    did: row.did,
    source: row.source,
    scope: scopeView(scope),
    preferences,
  } as DeclarationView
  if (scope.type === 'origin') view.originVerified = scope.verified
  if (row.statement !== null) view.statement = row.statement
  if (row.license_uri !== null) view.licenseUri = row.license_uri
  view.rev = row.rev
  if (row.created_at !== null) view.createdAt = row.created_at
  view.indexedAt = row.indexed_at
  return view
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
