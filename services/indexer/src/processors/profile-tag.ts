import { ACCOUNT_RKEY, bskyIds, hasDonottrainTagInText } from '@donottrain/lexicon'
import { isObject } from '../firehose/frame.js'
import type { Processor } from './types.js'

/** app.bsky.actor.profile (rkey self) whose description holds #donottrain: account-wide trainAi deny. */
export const profileTagProcessor: Processor = {
  collection: bskyIds.profile,
  extract(record, ctx) {
    if (ctx.rkey !== ACCOUNT_RKEY) return { value: null }
    if (!isObject(record) || record.$type !== bskyIds.profile) return { value: null, rejected: 'InvalidRecord' }
    if (!hasDonottrainTagInText(record.description)) return { value: null }
    return { value: { source: 'profileTag', scope: { type: 'account' }, preferences: { trainAi: 'deny' } } }
  },
}
