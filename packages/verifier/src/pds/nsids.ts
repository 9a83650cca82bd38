import { bskyIds } from '@donottrain/lexicon'

/** The atproto methods the verifier calls on a PDS (NSIDs from @donottrain/lexicon). */
export const pdsMethods = {
  getRecord: bskyIds.syncGetRecord,
  listRecords: bskyIds.repoListRecords,
  resolveHandle: bskyIds.identityResolveHandle,
} as const
