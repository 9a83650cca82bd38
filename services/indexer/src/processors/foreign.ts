import {
  ACCOUNT_RKEY,
  CommunityLexiconPreferenceAi,
  ids,
  isValidDatetime,
  mapForeignPreferences,
  OrgUserIntentsDemoDeclaration,
  PREFERENCE_AI_MAPPING,
  preferenceAiScope,
  USER_INTENTS_MAPPING,
} from '@donottrain/lexicon'
import { isObject } from '../firehose/frame.js'
import type { Processor } from './types.js'

// The mapping tables and the scope rule are @donottrain/lexicon's (reading.ts), shared with the
// verifier: both must read these records alike. The table is also in the indexer README.
export { PREFERENCE_AI_MAPPING, USER_INTENTS_MAPPING }

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
        preferences: mapForeignPreferences(record, USER_INTENTS_MAPPING),
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
    const scope = preferenceAiScope(record.scope, ctx.did)
    if (!scope) return { value: null, rejected: 'UnknownScope' }
    return {
      value: {
        source: 'preferenceAi',
        scope,
        preferences: mapForeignPreferences(record.preferences, PREFERENCE_AI_MAPPING),
        createdAt: String(record.updatedAt),
      },
    }
  },
}
