import type { Preferences, Scope } from '@donottrain/lexicon'

/** Where a declaration was read from (the `source` of ai.donottrain.defs#declarationView). */
export type SourceKind = 'declaration' | 'postTag' | 'profileTag' | 'userIntents' | 'preferenceAi'

/** What a processor extracts from one record: the declaration it makes, normalised. */
export interface Extracted {
  source: SourceKind
  scope: Scope
  preferences: Preferences
  statement?: string
  licenseUri?: string
  createdAt?: string
}

export interface RecordContext {
  did: string
  collection: string
  rkey: string
  uri: string
  cid: string
}

/**
 * One processor per record type. `extract` returns the declaration a record version makes, or
 * null when this version makes none (e.g. a post without #donottrain, or a record that fails
 * validation — `rejected` then says why). The store upserts or deletes by URI, so processing
 * the same version twice is harmless.
 */
export interface Processor {
  collection: string
  extract(record: unknown, ctx: RecordContext): { value: Extracted | null; rejected?: string }
}
