import { bskyIds } from '@donottrain/lexicon'
import { isObject } from '../firehose/frame.js'
import { hasDonottrainTagInText, isDonottrainTag } from './hashtag.js'
import type { Processor } from './types.js'

/**
 * app.bsky.feed.post carrying #donottrain — as a tag facet, in the post's `tags`, or in its
 * text — declares `trainAi: deny` for that one post.
 */
export const postTagProcessor: Processor = {
  collection: bskyIds.post,
  extract(record, ctx) {
    if (!isObject(record) || record.$type !== bskyIds.post) return { value: null, rejected: 'InvalidRecord' }
    if (!postHasTag(record)) return { value: null }
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

function postHasTag(post: Record<string, unknown>): boolean {
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
