import { describe, expect, it } from 'vitest'
import { bskyIds } from './nsid.js'
import {
  hasDonottrainTagInText,
  isDonottrainTag,
  mapForeignPreferences,
  PREFERENCE_AI_MAPPING,
  postHasDonottrainTag,
  preferenceAiScope,
  USER_INTENTS_MAPPING,
} from './reading.js'

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'

describe('#donottrain in text, tags and facets', () => {
  it('finds the whole hashtag in any case, not a longer tag or a word', () => {
    for (const text of ['#donottrain', 'my art #DoNotTrain', 'a\n#donottrain!', '(#donottrain)', '“#donottrain”']) {
      expect(hasDonottrainTagInText(text), text).toBe(true)
    }
    for (const text of [
      '#donottrainme',
      'a#donottrain',
      'donottrain',
      '#donot train',
      '#donottrain_x',
      '#donottrainé',
    ]) {
      expect(hasDonottrainTagInText(text), text).toBe(false)
    }
    expect(hasDonottrainTagInText(`${'x '.repeat(50_001)}#donottrain`)).toBe(false) // over 100,000 characters
    expect(hasDonottrainTagInText(42)).toBe(false)
  })

  it('compares tags case-insensitively, with or without their #', () => {
    expect(isDonottrainTag('DoNotTrain')).toBe(true)
    expect(isDonottrainTag('#donottrain')).toBe(true)
    expect(isDonottrainTag('donottrains')).toBe(false)
    expect(isDonottrainTag(null)).toBe(false)
  })

  it('reads a post’s tag facets, its tags and its text', () => {
    const facet = (tag: string) => ({
      index: { byteStart: 0, byteEnd: 1 },
      features: [{ $type: bskyIds.facetTag, tag }],
    })
    expect(postHasDonottrainTag({ text: 'x', facets: [facet('DoNotTrain')] })).toBe(true)
    expect(postHasDonottrainTag({ text: 'x', facets: [facet('other')] })).toBe(false)
    expect(postHasDonottrainTag({ text: 'x', tags: ['donottrain'] })).toBe(true)
    expect(postHasDonottrainTag({ text: 'hello #donottrain' })).toBe(true)
    // A link facet naming the tag is not a tag.
    const link = {
      index: { byteStart: 0, byteEnd: 1 },
      features: [{ $type: 'app.bsky.richtext.facet#link', tag: 'donottrain' }],
    }
    expect(postHasDonottrainTag({ text: 'x', facets: [link] })).toBe(false)
  })
})

describe('the foreign vocabularies', () => {
  it('maps allow flags to purposes, deny winning where two fields meet', () => {
    expect(mapForeignPreferences({ syntheticContentGeneration: { allow: false } }, USER_INTENTS_MAPPING)).toEqual({
      trainGenai: 'deny',
    })
    expect(
      mapForeignPreferences({ inference: { allow: true }, embedding: { allow: false } }, PREFERENCE_AI_MAPPING),
    ).toEqual({ aiInput: 'deny' })
    expect(
      mapForeignPreferences({ inference: { allow: false }, embedding: { allow: true } }, PREFERENCE_AI_MAPPING),
    ).toEqual({ aiInput: 'deny' })
    expect(
      mapForeignPreferences({ training: { allow: 'no' }, unrelated: { allow: false } }, PREFERENCE_AI_MAPPING),
    ).toEqual({})
    expect(mapForeignPreferences('not an object', PREFERENCE_AI_MAPPING)).toEqual({})
  })

  it('reads preference.ai scopes, refusing an entity of another repository', () => {
    const id = 'community.lexicon.preference.ai'
    expect(preferenceAiScope({ $type: `${id}#global` }, DID)).toEqual({ type: 'account' })
    expect(preferenceAiScope({ $type: `${id}#collection`, nsid: 'app.bsky.feed.post' }, DID)).toEqual({
      type: 'collection',
      collection: 'app.bsky.feed.post',
    })
    const own = `at://${DID}/app.bsky.feed.post/3l3qo2vutsaab`
    expect(preferenceAiScope({ $type: `${id}#entity`, uri: own }, DID)).toEqual({ type: 'record', uri: own })
    const theirs = 'at://did:plc:aaaaaaaaaaaaaaaaaaaaaaaa/app.bsky.feed.post/3l3qo2vutsaab'
    expect(preferenceAiScope({ $type: `${id}#entity`, uri: theirs }, DID)).toBeUndefined()
    expect(preferenceAiScope({ $type: `${id}#unknown` }, DID)).toBeUndefined()
    expect(preferenceAiScope(null, DID)).toBeUndefined()
  })
})
