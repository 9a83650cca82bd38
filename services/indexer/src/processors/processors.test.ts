import { bskyIds, ids, scopes } from '@donottrain/lexicon'
import { describe, expect, it } from 'vitest'
import { PROCESSOR_BY_COLLECTION } from './index.js'
import type { RecordContext } from './types.js'

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'
const CID = 'bafyreidfayvfuwqa7qlnopdjiqrxzs6blmoeu4rujcjtnci5beludirz2a'
const ctx = (collection: string, rkey: string): RecordContext => ({
  did: DID,
  collection,
  rkey,
  uri: `at://${DID}/${collection}/${rkey}`,
  cid: CID,
})
const run = (collection: string, rkey: string, record: unknown) => {
  const p = PROCESSOR_BY_COLLECTION.get(collection)
  if (!p) throw new Error(`no processor for ${collection}`)
  return p.extract(record, ctx(collection, rkey))
}
const now = '2026-11-28T12:00:00.000Z'

describe('ai.donottrain.declaration', () => {
  it('extracts a valid declaration, keeping only known purposes and values', () => {
    const res = run(ids.AiDonottrainDeclaration, 'self', {
      $type: ids.AiDonottrainDeclaration,
      scope: scopes.account(),
      preferences: { trainAi: 'deny', search: 'allow-later', future: 'deny' },
      statement: 'no',
      createdAt: now,
    })
    expect(res.value).toEqual({
      source: 'declaration',
      scope: { type: 'account' },
      preferences: { trainAi: 'deny' },
      statement: 'no',
      createdAt: now,
    })
  })
  it('rejects an invalid one with its reason', () => {
    const res = run(ids.AiDonottrainDeclaration, '3l2s5xxv2ze2c', {
      $type: ids.AiDonottrainDeclaration,
      scope: scopes.account(),
      preferences: {},
      createdAt: now,
    })
    expect(res).toEqual({ value: null, rejected: 'ScopeKeyMismatch' })
  })
})

describe('#donottrain in posts', () => {
  const post = (extra: Record<string, unknown>) => ({ $type: bskyIds.post, text: 'hi', createdAt: now, ...extra })
  it.each([
    [
      'a tag facet',
      post({
        text: '🎨 art #DoNotTrain',
        facets: [{ index: { byteStart: 10, byteEnd: 21 }, features: [{ $type: bskyIds.facetTag, tag: 'DoNotTrain' }] }],
      }),
    ],
    ['the tags field', post({ tags: ['donottrain'] })],
    ['the text alone', post({ text: 'my drawings #donottrain please' })],
    ['text at the start', post({ text: '#donottrain' })],
  ])('declares record-scope trainAi deny from %s', (_, record) => {
    expect(run(bskyIds.post, '3l2s5xxv2ze2c', record).value).toEqual({
      source: 'postTag',
      scope: { type: 'record', uri: `at://${DID}/${bskyIds.post}/3l2s5xxv2ze2c`, cid: CID },
      preferences: { trainAi: 'deny' },
      createdAt: now,
    })
  })
  it.each([
    ['no tag', post({})],
    ['a longer tag', post({ text: 'see #donottrainme' })],
    ['inside a word', post({ text: 'email#donottrain' })],
    [
      'another tag facet',
      post({ facets: [{ index: { byteStart: 0, byteEnd: 3 }, features: [{ $type: bskyIds.facetTag, tag: 'art' }] }] }),
    ],
  ])('makes no declaration for %s', (_, record) => {
    expect(run(bskyIds.post, '3l2s5xxv2ze2c', record)).toEqual({ value: null })
  })
})

describe('#donottrain in the profile', () => {
  it('declares account-wide trainAi deny from the description of rkey self', () => {
    const res = run(bskyIds.profile, 'self', {
      $type: bskyIds.profile,
      displayName: 'A',
      description: 'artist. #donottrain',
    })
    expect(res.value).toEqual({ source: 'profileTag', scope: { type: 'account' }, preferences: { trainAi: 'deny' } })
  })
  it('makes none without the tag or at another rkey', () => {
    expect(run(bskyIds.profile, 'self', { $type: bskyIds.profile, description: 'artist' }).value).toBeNull()
    expect(run(bskyIds.profile, 'other', { $type: bskyIds.profile, description: '#donottrain' }).value).toBeNull()
  })
})

describe('foreign lexicons, by the documented mapping', () => {
  it('org.user-intents.demo.declaration: syntheticContentGeneration and bulkDataset', () => {
    const res = run(ids.OrgUserIntentsDemoDeclaration, 'self', {
      $type: ids.OrgUserIntentsDemoDeclaration,
      updatedAt: now,
      syntheticContentGeneration: { allow: false, updatedAt: now },
      bulkDataset: { allow: true, updatedAt: now },
      publicAccessArchive: { allow: false, updatedAt: now },
    })
    expect(res.value).toEqual({
      source: 'userIntents',
      scope: { type: 'account' },
      preferences: { trainGenai: 'deny', trainAi: 'allow' },
      createdAt: now,
    })
  })
  it('community.lexicon.preference.ai: global, collection and own-entity scopes', () => {
    const base = {
      $type: ids.CommunityLexiconPreferenceAi,
      updatedAt: now,
      preferences: { training: { allow: false }, inference: { allow: true }, embedding: { allow: false } },
    }
    const g = run(ids.CommunityLexiconPreferenceAi, 'x', {
      ...base,
      scope: { $type: `${ids.CommunityLexiconPreferenceAi}#global` },
    })
    expect(g.value).toMatchObject({ scope: { type: 'account' }, preferences: { trainAi: 'deny', aiInput: 'deny' } })
    const c = run(ids.CommunityLexiconPreferenceAi, 'y', {
      ...base,
      scope: { $type: `${ids.CommunityLexiconPreferenceAi}#collection`, nsid: bskyIds.post },
    })
    expect(c.value?.scope).toEqual({ type: 'collection', collection: bskyIds.post })
    const own = `at://${DID}/${bskyIds.post}/3l2s5xxv2ze2c`
    const e = run(ids.CommunityLexiconPreferenceAi, 'z', {
      ...base,
      scope: { $type: `${ids.CommunityLexiconPreferenceAi}#entity`, uri: own },
    })
    expect(e.value?.scope).toEqual({ type: 'record', uri: own })
    const foreign = run(ids.CommunityLexiconPreferenceAi, 'w', {
      ...base,
      scope: {
        $type: `${ids.CommunityLexiconPreferenceAi}#entity`,
        uri: `at://did:plc:44ybard66vv44zksje25o7dz/${bskyIds.post}/x`,
      },
    })
    expect(foreign).toEqual({ value: null, rejected: 'UnknownScope' })
  })
  it('invalid foreign records are rejected, not thrown', () => {
    expect(run(ids.OrgUserIntentsDemoDeclaration, 'self', { $type: ids.OrgUserIntentsDemoDeclaration }).rejected).toBe(
      'InvalidRecord',
    )
    expect(
      run(ids.CommunityLexiconPreferenceAi, 'x', {
        $type: ids.CommunityLexiconPreferenceAi,
        updatedAt: 'yesterday',
        scope: {},
        preferences: {},
      }).rejected,
    ).toBe('InvalidRecord')
    for (const junk of [null, 1, 'x', [], { $type: 'other' }]) {
      for (const p of PROCESSOR_BY_COLLECTION.values())
        expect(() => p.extract(junk, ctx(p.collection, 'self'))).not.toThrow()
    }
  })
})
