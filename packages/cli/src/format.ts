import type { Preferences, Scope } from '@donottrain/lexicon'
import { PURPOSES } from '@donottrain/lexicon'

/** 'trainAi=deny search=allow', purposes in canonical order. */
export function formatPreferences(prefs: Preferences): string {
  const parts = PURPOSES.filter((p) => prefs[p] !== undefined).map((p) => `${p}=${prefs[p]}`)
  return parts.length > 0 ? parts.join(' ') : '(no preferences)'
}

export function formatScope(scope: Scope): string {
  switch (scope.type) {
    case 'account':
      return 'account-wide'
    case 'collection':
      return `collection ${scope.collection}`
    case 'record':
      return `record ${scope.uri}`
    case 'origin':
      return `origin ${scope.origin}`
  }
}
