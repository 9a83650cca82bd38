import { bskyIds } from '@donottrain/lexicon'

// The same rules as the indexer's post-tag and profile-tag processors
// (services/indexer/src/processors/hashtag.ts): a verifier must read a record as the indexer does.

/** The tag, without '#', compared case-insensitively as Bluesky compares tags. */
const DONOTTRAIN_TAG = 'donottrain'

// '#donottrain' as a whole hashtag: not part of a longer tag ('#donottrainme') or a word ('a#donottrain').
const TEXT_TAG = /(?:^|[\s([{"'“‘])#donottrain(?![\p{L}\p{N}_])/iu

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

export function hasDonottrainTagInText(text: unknown): boolean {
  return typeof text === 'string' && text.length <= 100_000 && TEXT_TAG.test(text)
}

const isDonottrainTag = (tag: unknown): boolean =>
  typeof tag === 'string' && tag.replace(/^#/, '').toLowerCase() === DONOTTRAIN_TAG

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
