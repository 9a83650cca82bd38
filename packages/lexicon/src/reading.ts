import { splitRecordUri } from './declaration.js'
import { bskyIds, ids } from './nsid.js'
import type { Preferences, Purpose, Scope } from './verdict.js'

// How records other than ai.donottrain.declaration are read as declarations: #donottrain in a
// post or a bio, and the two foreign vocabularies. One copy for the indexer's processors and the
// verifier's declarationFromRecord, which must read every record alike.

/** The tag, without '#', compared case-insensitively as Bluesky compares tags. */
export const DONOTTRAIN_TAG = 'donottrain'

// '#donottrain' as a whole hashtag: not part of a longer tag ('#donottrainme') or a word ('a#donottrain').
const TEXT_TAG = /(?:^|[\s([{"'“‘])#donottrain(?![\p{L}\p{N}_])/iu

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Whether a text (up to 100,000 characters) holds #donottrain as a whole hashtag. */
export function hasDonottrainTagInText(text: unknown): boolean {
  return typeof text === 'string' && text.length <= 100_000 && TEXT_TAG.test(text)
}

/** Whether a tag (with or without its '#') is #donottrain. */
export function isDonottrainTag(tag: unknown): boolean {
  return typeof tag === 'string' && tag.replace(/^#/, '').toLowerCase() === DONOTTRAIN_TAG
}

/** A post carrying #donottrain as a tag facet, in its `tags`, or in its text. */
export function postHasDonottrainTag(post: Record<string, unknown>): boolean {
  const facets = Array.isArray(post.facets) ? post.facets.slice(0, 1000) : []
  for (const facet of facets) {
    const features = isObject(facet) && Array.isArray(facet.features) ? facet.features.slice(0, 100) : []
    for (const f of features) {
      if (isObject(f) && f.$type === bskyIds.facetTag && isDonottrainTag(f.tag)) return true
    }
  }
  if (Array.isArray(post.tags) && post.tags.slice(0, 100).some(isDonottrainTag)) return true
  return hasDonottrainTagInText(post.text)
}

/**
 * How the two foreign vocabularies map to donottrain purposes (the table in the indexer's
 * README): `allow: false` → deny, `allow: true` → allow, absent → no statement. Fields not
 * listed are not about AI use and are ignored.
 */
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

/**
 * The scope of a community.lexicon.preference.ai record: global, one collection, or one record
 * of the same repository (an entity in another repository is not this account's to declare).
 */
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
