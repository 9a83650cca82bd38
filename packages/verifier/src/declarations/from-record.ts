import {
  ACCOUNT_RKEY,
  bskyIds,
  CommunityLexiconPreferenceAi,
  err,
  hasDonottrainTagInText,
  ids,
  isValidDatetime,
  mapForeignPreferences,
  OrgUserIntentsDemoDeclaration,
  ok,
  PREFERENCE_AI_MAPPING,
  type Preferences,
  postHasDonottrainTag,
  preferenceAiScope,
  type Result,
  type Scope,
  type ScopedDeclaration,
  USER_INTENTS_MAPPING,
  validateDeclaration,
} from '@donottrain/lexicon'
import { DeclarationReadError } from './errors.js'

/** The kind of record a declaration is read from (`source` of ai.donottrain.defs#declarationView). */
export type DeclarationSource = 'declaration' | 'postTag' | 'profileTag' | 'userIntents' | 'preferenceAi'

/** Where a record lives, as its proof established. */
export interface RecordLocation {
  did: string
  collection: string
  rkey: string
  /** The record's CID (a record scope of a #donottrain post pins it). */
  cid: string
}

/** The declaration one record makes, normalised as the verdict module reads it. */
export interface RecordDeclaration extends ScopedDeclaration {
  source: DeclarationSource
  uri: string
  cid: string
  scope: Scope
  preferences: Preferences
}

/** The collections declarations are read from, and what each is called as a source. */
export const DECLARATION_COLLECTIONS: Readonly<Record<string, DeclarationSource>> = {
  [ids.AiDonottrainDeclaration]: 'declaration',
  [bskyIds.post]: 'postTag',
  [bskyIds.profile]: 'profileTag',
  [ids.OrgUserIntentsDemoDeclaration]: 'userIntents',
  [ids.CommunityLexiconPreferenceAi]: 'preferenceAi',
}

const none = (message: string) => err(new DeclarationReadError('NoDeclaration', message))
const invalid = (message: string, cause?: unknown) =>
  err(new DeclarationReadError('InvalidDeclaration', message, cause === undefined ? undefined : { cause }))

/**
 * The declaration a (proven) record makes, read by the same rules as the indexer's processors:
 * an ai.donottrain.declaration as validated by @donottrain/lexicon; a post or profile (rkey
 * self) carrying #donottrain as trainAi deny for that post or the whole account; the two foreign
 * vocabularies through their mapping tables. NoDeclaration when the record declares nothing.
 */
export function declarationFromRecord(
  record: Record<string, unknown>,
  at: RecordLocation,
): Result<RecordDeclaration, DeclarationReadError> {
  const { did, collection, rkey, cid } = at
  const uri = `at://${did}/${collection}/${rkey}`
  const made = (source: DeclarationSource, scope: Scope, preferences: Preferences) =>
    ok<RecordDeclaration>({ source, uri, cid, did, scope, preferences })
  switch (DECLARATION_COLLECTIONS[collection]) {
    case 'declaration': {
      const valid = validateDeclaration(record, { did, rkey })
      if (!valid.ok) return invalid(`${valid.error.message} uri=${uri}`, valid.error)
      return made('declaration', valid.value.scope, valid.value.preferences)
    }
    case 'postTag':
      if (record.$type !== bskyIds.post) return invalid(`not a post uri=${uri}`)
      if (!postHasDonottrainTag(record)) return none(`post carries no #donottrain uri=${uri}`)
      return made('postTag', { type: 'record', uri, cid }, { trainAi: 'deny' })
    case 'profileTag':
      if (rkey !== ACCOUNT_RKEY) return none(`profile record is not at rkey self uri=${uri}`)
      if (record.$type !== bskyIds.profile) return invalid(`not a profile uri=${uri}`)
      if (!hasDonottrainTagInText(record.description)) return none(`profile carries no #donottrain uri=${uri}`)
      return made('profileTag', { type: 'account' }, { trainAi: 'deny' })
    case 'userIntents': {
      if (rkey !== ACCOUNT_RKEY) return invalid(`user-intents declaration is not at rkey self uri=${uri}`)
      const lex = OrgUserIntentsDemoDeclaration.validateRecord(record)
      if (!lex.success || !isValidDatetime(String(record.updatedAt))) return invalid(`invalid record uri=${uri}`)
      return made('userIntents', { type: 'account' }, mapForeignPreferences(record, USER_INTENTS_MAPPING))
    }
    case 'preferenceAi': {
      const lex = CommunityLexiconPreferenceAi.validateRecord(record)
      if (!lex.success || !isValidDatetime(String(record.updatedAt))) return invalid(`invalid record uri=${uri}`)
      const scope = preferenceAiScope(record.scope, did)
      if (!scope) return invalid(`unknown or foreign scope uri=${uri}`)
      return made('preferenceAi', scope, mapForeignPreferences(record.preferences, PREFERENCE_AI_MAPPING))
    }
    default:
      return err(
        new DeclarationReadError('UnsupportedCollection', `no declarations are read from collection=${collection}`),
      )
  }
}
