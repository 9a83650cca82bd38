/** The tag, without '#', compared case-insensitively as Bluesky compares tags. */
export const DONOTTRAIN_TAG = 'donottrain'

// '#donottrain' as a whole hashtag: not part of a longer tag ('#donottrainme') or a word ('a#donottrain').
const TEXT_TAG = /(?:^|[\s([{"'“‘])#donottrain(?![\p{L}\p{N}_])/iu

export function hasDonottrainTagInText(text: unknown): boolean {
  return typeof text === 'string' && text.length <= 100_000 && TEXT_TAG.test(text)
}

export function isDonottrainTag(tag: unknown): boolean {
  return typeof tag === 'string' && tag.replace(/^#/, '').toLowerCase() === DONOTTRAIN_TAG
}
