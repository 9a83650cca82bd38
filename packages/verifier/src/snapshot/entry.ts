import type { Preferences, Scope, ScopedDeclaration } from '@donottrain/lexicon'

/** One current declaration as a snapshot holds it: the verdict model's fields and where it came from. */
export interface SnapshotDeclaration extends ScopedDeclaration {
  uri: string
  did: string
  cid: string
  rev: string
  /** declaration | postTag | profileTag | userIntents | preferenceAi */
  source: string
  scope: Scope
  preferences: Preferences
  statement?: string
  licenseUri?: string
  createdAt?: string
  indexedAt: string
  /** The change (declarations feed seq) that wrote this version. */
  seq: number
  /** The transparency-log leaf of that change. */
  logIndex?: number
}
