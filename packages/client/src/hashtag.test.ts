import { type $Typed, type AppBskyRichtextFacet, ids as atprotoIds } from '@atproto/api'
import { bskyIds } from '@donottrain/lexicon'
import { describe, expect, it } from 'vitest'
import {
  donottrainTagRanges,
  hasDonottrainTag,
  isDonottrainFacet,
  withDonottrainTag,
  withoutDonottrainTag,
} from './hashtag.js'

const utf8 = (s: string) => Buffer.from(s, 'utf8')
const sliceBytes = (s: string, start: number, end: number) => utf8(s).subarray(start, end).toString('utf8')

describe('donottrainTagRanges', () => {
  it('gives UTF-8 byte offsets, also after emoji and other multi-byte text', () => {
    const text = 'Ich zeichne 🧑‍🎨 und 🎨 — #donottrain bitte'
    const [range, ...rest] = donottrainTagRanges(text)
    expect(rest).toEqual([])
    expect(range).toBeDefined()
    const { byteStart, byteEnd } = range as { byteStart: number; byteEnd: number }
    // UTF-16 index and UTF-8 offset differ here, so a wrong unit would slice something else.
    expect(text.indexOf('#donottrain')).not.toBe(byteStart)
    expect(byteStart).toBe(utf8(text.slice(0, text.indexOf('#'))).length)
    expect(sliceBytes(text, byteStart, byteEnd)).toBe('#donottrain')
  })

  it('matches case-insensitively and not other tags or mid-word', () => {
    expect(hasDonottrainTag('#DoNotTrain')).toBe(true)
    expect(hasDonottrainTag('art #donottrain.')).toBe(true)
    expect(hasDonottrainTag('#donottrainers')).toBe(false)
    expect(hasDonottrainTag('foo#donottrain')).toBe(false)
    expect(hasDonottrainTag('donottrain')).toBe(false)
  })
})

describe('isDonottrainFacet', () => {
  it('needs a tag feature with the tag', () => {
    const index = { byteStart: 0, byteEnd: 11 }
    expect(isDonottrainFacet({ index, features: [{ $type: bskyIds.facetTag, tag: 'DONOTTRAIN' }] })).toBe(true)
    expect(isDonottrainFacet({ index, features: [{ $type: bskyIds.facetTag, tag: 'art' }] })).toBe(false)
    const link = { $type: `${atprotoIds.AppBskyRichtextFacet}#link`, uri: 'https://x.y/donottrain' }
    expect(isDonottrainFacet({ index, features: [link as $Typed<AppBskyRichtextFacet.Link>] })).toBe(false)
  })
})

describe('withDonottrainTag', () => {
  it('appends the tag once', () => {
    expect(withDonottrainTag('my art')).toBe('my art #donottrain')
    expect(withDonottrainTag('my art\n')).toBe('my art\n#donottrain')
    expect(withDonottrainTag('')).toBe('#donottrain')
    expect(withDonottrainTag('already #DoNotTrain here')).toBe('already #DoNotTrain here')
  })
})

describe('withoutDonottrainTag', () => {
  it.each([
    ['Artist. #donottrain', 'Artist.'],
    ['Artist.\n\n#donottrain', 'Artist.'],
    ['a #donottrain b', 'a b'],
    ['a #donottrain, b', 'a, b'],
    ['#donottrain Artist', 'Artist'],
    ['🎨 art #DoNotTrain 🧑‍🎨 more #donottrain', '🎨 art 🧑‍🎨 more'],
    ['no tag here #art', 'no tag here #art'],
    ['#donottrainers stay', '#donottrainers stay'],
  ])('%j → %j', (input, expected) => {
    expect(withoutDonottrainTag(input)).toBe(expected)
  })

  it('undoes withDonottrainTag', () => {
    for (const text of ['Painter and writer.', 'émigré 🎨', 'x']) {
      expect(withoutDonottrainTag(withDonottrainTag(text))).toBe(text)
    }
  })
})
