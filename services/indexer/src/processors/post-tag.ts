import { bskyIds, postHasDonottrainTag } from '@donottrain/lexicon'
import { isObject } from '../firehose/frame.js'
import type { Processor } from './types.js'

/**
 * app.bsky.feed.post carrying #donottrain — as a tag facet, in the post's `tags`, or in its
 * text — declares `trainAi: deny` for that one post.
 */
export const postTagProcessor: Processor = {
  collection: bskyIds.post,
  extract(record, ctx) {
    if (!isObject(record) || record.$type !== bskyIds.post) return { value: null, rejected: 'InvalidRecord' }
    if (!postHasDonottrainTag(record)) return { value: null }
    return {
      value: {
        source: 'postTag',
        scope: { type: 'record', uri: ctx.uri, cid: ctx.cid },
        preferences: { trainAi: 'deny' },
        ...(typeof record.createdAt === 'string' && { createdAt: record.createdAt }),
      },
    }
  },
}
