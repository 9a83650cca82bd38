import { type AiDonottrainDefs, ids, type Preferences, PURPOSES, readPreference, type Scope } from '@donottrain/lexicon'

const DECLARATION = ids.AiDonottrainDeclaration

/**
 * The scope of an indexer's declarationView, normalised (undefined for a scope type this reader
 * does not know). An origin scope carries the indexer's claim `originVerified`.
 */
export function scopeFromView(
  view: Pick<AiDonottrainDefs.DeclarationView, 'scope' | 'originVerified'>,
): Scope | undefined {
  const scope = view.scope as { $type?: unknown; [key: string]: unknown }
  switch (scope.$type) {
    case `${DECLARATION}#accountScope`:
      return { type: 'account' }
    case `${DECLARATION}#collectionScope`:
      return typeof scope.collection === 'string' ? { type: 'collection', collection: scope.collection } : undefined
    case `${ids.AiDonottrainDefs}#recordTarget`:
      if (typeof scope.uri !== 'string') return undefined
      return { type: 'record', uri: scope.uri, ...(typeof scope.cid === 'string' ? { cid: scope.cid } : {}) }
    case `${DECLARATION}#originScope`:
      if (typeof scope.origin !== 'string') return undefined
      return { type: 'origin', origin: scope.origin, verified: view.originVerified === true }
    default:
      return undefined
  }
}

/** Whether two scopes name the same thing (a record's pinned CID counts when both have one; origin verification does not). */
export function sameScope(a: Scope, b: Scope): boolean {
  switch (a.type) {
    case 'account':
      return b.type === 'account'
    case 'collection':
      return b.type === 'collection' && a.collection === b.collection
    case 'record':
      return b.type === 'record' && a.uri === b.uri && (a.cid === undefined || b.cid === undefined || a.cid === b.cid)
    case 'origin':
      return b.type === 'origin' && a.origin === b.origin
  }
}

/** Whether two sets of preferences say the same per purpose (unknown values count as no statement). */
export function samePreferences(a: Preferences, b: Preferences): boolean {
  return PURPOSES.every((purpose) => readPreference(a[purpose]) === readPreference(b[purpose]))
}
