import {
  ACCOUNT_RKEY,
  CommunityLexiconPreferenceAi,
  ids,
  isValidDatetime,
  OrgUserIntentsDemoDeclaration,
  type Preferences,
  type Purpose,
  type Scope,
  splitRecordUri,
} from '@donottrain/lexicon'
import { isObject } from '../firehose/frame.js'
import type { Processor } from './types.js'

/**
 * How the two foreign vocabularies map to donottrain purposes. `allow: false` → deny,
 * `allow: true` → allow, absent → no statement. Fields not listed here are not about AI use
 * and are ignored. This table is the documented mapping (also in the indexer README).
 */
export const USER_INTENTS_MAPPING: Record<string, Purpose> = {
  syntheticContentGeneration: 'trainGenai',
  bulkDataset: 'trainAi',
}
export const PREFERENCE_AI_MAPPING: Record<string, Purpose> = {
  training: 'trainAi',
  syntheticContent: 'trainGenai',
  inference: 'aiInput',
  embedding: 'aiInput',
}

function mapPrefs(source: Record<string, unknown>, mapping: Record<string, Purpose>): Preferences {
  const out: Partial<Record<Purpose, 'allow' | 'deny'>> = {}
  for (const [field, purpose] of Object.entries(mapping)) {
    const pref = source[field]
    if (!isObject(pref) || typeof pref.allow !== 'boolean') continue
    const value = pref.allow ? 'allow' : 'deny'
    // Two fields may map to one purpose: the more restrictive wins.
    if (out[purpose] !== 'deny') out[purpose] = value
  }
  return out
}

/** org.user-intents.demo.declaration (Bluesky proposal 0008), rkey self: account scope. */
export const userIntentsProcessor: Processor = {
  collection: ids.OrgUserIntentsDemoDeclaration,
  extract(record, ctx) {
    if (ctx.rkey !== ACCOUNT_RKEY) return { value: null, rejected: 'InvalidRecordKey' }
    const res = OrgUserIntentsDemoDeclaration.validateRecord(record)
    if (!res.success || !isObject(record) || !isValidDatetime(String(record.updatedAt))) {
      return { value: null, rejected: 'InvalidRecord' }
    }
    return {
      value: {
        source: 'userIntents',
        scope: { type: 'account' },
        preferences: mapPrefs(record, USER_INTENTS_MAPPING),
        createdAt: String(record.updatedAt),
      },
    }
  },
}

/** community.lexicon.preference.ai: global, entity (one record of the same repo) or collection scope. */
export const preferenceAiProcessor: Processor = {
  collection: ids.CommunityLexiconPreferenceAi,
  extract(record, ctx) {
    const res = CommunityLexiconPreferenceAi.validateRecord(record)
    if (!res.success || !isObject(record) || !isValidDatetime(String(record.updatedAt))) {
      return { value: null, rejected: 'InvalidRecord' }
    }
    const scope = readScope(record.scope, ctx.did)
    if (!scope) return { value: null, rejected: 'UnknownScope' }
    const prefs = isObject(record.preferences) ? record.preferences : {}
    return {
      value: {
        source: 'preferenceAi',
        scope,
        preferences: mapPrefs(prefs, PREFERENCE_AI_MAPPING),
        createdAt: String(record.updatedAt),
      },
    }
  },
}

function readScope(scope: unknown, did: string): Scope | null {
  if (!isObject(scope)) return null
  const id = ids.CommunityLexiconPreferenceAi
  if (scope.$type === `${id}#global`) return { type: 'account' }
  if (scope.$type === `${id}#collection` && typeof scope.nsid === 'string') {
    return { type: 'collection', collection: scope.nsid }
  }
  if (scope.$type === `${id}#entity` && typeof scope.uri === 'string') {
    const parts = splitRecordUri(scope.uri)
    return parts && parts.did === did ? { type: 'record', uri: scope.uri } : null
  }
  return null
}
