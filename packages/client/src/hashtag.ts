import { type AppBskyRichtextFacet, RichText } from '@atproto/api'
import { bskyIds } from '@donottrain/lexicon'

/** The hashtag, without '#'. Tags compare case-insensitively (#DoNotTrain is the same tag). */
export const DONOTTRAIN_TAG = 'donottrain'

type Facet = AppBskyRichtextFacet.Main

/** UTF-8 byte ranges of every #donottrain tag in a text, found with Bluesky's own tag rules. */
export function donottrainTagRanges(text: string): Array<{ byteStart: number; byteEnd: number }> {
  const rt = new RichText({ text })
  rt.detectFacetsWithoutResolution()
  return (rt.facets ?? []).filter(isDonottrainFacet).map((f) => ({ ...f.index }))
}

export function hasDonottrainTag(text: string): boolean {
  return donottrainTagRanges(text).length > 0
}

/** Whether a facet is a tag facet for #donottrain. */
export function isDonottrainFacet(facet: Facet): boolean {
  return facet.features.some((f) => {
    const tag = (f as { tag?: unknown }).tag
    return f.$type === bskyIds.facetTag && typeof tag === 'string' && tag.toLowerCase() === DONOTTRAIN_TAG
  })
}

/** The text with #donottrain appended, unless it already carries the tag. */
export function withDonottrainTag(text: string): string {
  if (hasDonottrainTag(text)) return text
  if (text === '') return `#${DONOTTRAIN_TAG}`
  return `${text}${/\s$/u.test(text) ? '' : ' '}#${DONOTTRAIN_TAG}`
}

/**
 * The text with every #donottrain tag removed, and only the whitespace that separated it from
 * the rest: 'Artist. #donottrain' → 'Artist.', 'a #donottrain b' → 'a b'.
 */
export function withoutDonottrainTag(text: string): string {
  const ranges = donottrainTagRanges(text)
  let bytes = Buffer.from(text, 'utf8')
  for (const { byteStart, byteEnd } of ranges.reverse()) {
    let before = bytes.subarray(0, byteStart).toString('utf8')
    let after = bytes.subarray(byteEnd).toString('utf8')
    // A tag starts the text or follows whitespace; drop that whitespace, or at the very start
    // the whitespace after the tag, so no gap is left.
    if (before === '') after = after.replace(/^\s+/u, '')
    else before = before.replace(/\s+$/u, '')
    bytes = Buffer.from(before + after, 'utf8')
  }
  return bytes.toString('utf8')
}

/** Grapheme count, as app.bsky lexicons limit text (maxGraphemes). */
export function graphemeLength(text: string): number {
  return new RichText({ text }).graphemeLength
}
