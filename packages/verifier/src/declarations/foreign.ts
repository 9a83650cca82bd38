import { ids, type Preferences, type Purpose, type Scope, splitRecordUri } from '@donottrain/lexicon'

// How the two foreign vocabularies map to donottrain purposes: the documented table of the
// indexer (services/indexer/src/processors/foreign.ts), which a verifier must apply alike.
// `allow: false` → deny, `allow: true` → allow, absent → no statement; other fields are ignored.

export const USER_INTENTS_MAPPING: Readonly<Record<string, Purpose>> = {
  syntheticContentGeneration: 'trainGenai',
  bulkDataset: 'trainAi',
}

export const PREFERENCE_AI_MAPPING: Readonly<Record<string, Purpose>> = {
  training: 'trainAi',
  syntheticContent: 'trainGenai',
  inference: 'aiInput',
  embedding: 'aiInput',
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Maps `{ <field>: { allow: boolean } }` to preferences; two fields on one purpose: deny wins. */
export function mapForeignPreferences(source: unknown, mapping: Readonly<Record<string, Purpose>>): Preferences {
  const out: Partial<Record<Purpose, 'allow' | 'deny'>> = {}
  if (!isObject(source)) return out
  for (const [field, purpose] of Object.entries(mapping)) {
    const pref = source[field]
    if (!isObject(pref) || typeof pref.allow !== 'boolean') continue
    if (out[purpose] !== 'deny') out[purpose] = pref.allow ? 'allow' : 'deny'
  }
  return out
}

/** The scope of a community.lexicon.preference.ai record: global, one collection, or one own record. */
export function preferenceAiScope(scope: unknown, did: string): Scope | undefined {
  if (!isObject(scope)) return undefined
  const id = ids.CommunityLexiconPreferenceAi
  if (scope.$type === `${id}#global`) return { type: 'account' }
  if (scope.$type === `${id}#collection` && typeof scope.nsid === 'string') {
    return { type: 'collection', collection: scope.nsid }
  }
  if (scope.$type === `${id}#entity` && typeof scope.uri === 'string') {
    const parts = splitRecordUri(scope.uri)
    return parts && parts.did === did ? { type: 'record', uri: scope.uri } : undefined
  }
  return undefined
}
