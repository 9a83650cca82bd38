import { bskyIds, ids, scopes } from '@donottrain/lexicon'
import { describe, expect, it } from 'vitest'
import { declarationFromRecord, type RecordLocation } from './from-record.js'
import { samePreferences, sameScope, scopeFromView } from './view.js'

const did = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'
const cid = 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm'
const at = (collection: string, rkey: string): RecordLocation => ({ did, collection, rkey, cid })
const createdAt = '2025-01-01T00:00:00.000Z'
const read = (record: Record<string, unknown>, where: RecordLocation) => {
  const result = declarationFromRecord(record, where)
  return result.ok ? result.value : result.error.code
}

describe('declarationFromRecord', () => {
  it('reads an ai.donottrain.declaration as @donottrain/lexicon validates it', () => {
    const record = {
      $type: ids.AiDonottrainDeclaration,
      scope: scopes.account(),
      preferences: { trainAi: 'deny' },
      createdAt,
    }
    expect(read(record, at(ids.AiDonottrainDeclaration, 'self'))).toEqual({
      source: 'declaration',
      uri: `at://${did}/${ids.AiDonottrainDeclaration}/self`,
      cid,
      did,
      scope: { type: 'account' },
      preferences: { trainAi: 'deny' },
    })
    // account scope only at rkey self; no createdAt; another account's record in a record scope
    expect(read(record, at(ids.AiDonottrainDeclaration, '3l2s5xxv2ze2c'))).toBe('InvalidDeclaration')
    expect(read({ ...record, createdAt: undefined }, at(ids.AiDonottrainDeclaration, 'self'))).toBe(
      'InvalidDeclaration',
    )
    const foreign = scopes.record({ uri: `at://did:plc:aaaaaaaaaaaaaaaaaaaaaaaa/${bskyIds.post}/3l2s5xxv2ze2c`, cid })
    expect(read({ ...record, scope: foreign }, at(ids.AiDonottrainDeclaration, '3l2s5xxv2ze2c'))).toBe(
      'InvalidDeclaration',
    )
  })

  it('reads #donottrain in a post (facet, tags or text) as trainAi deny for that post, pinned to its CID', () => {
    const post = (fields: Record<string, unknown>) =>
      read({ $type: bskyIds.post, text: '', createdAt, ...fields }, at(bskyIds.post, '3l2s5xxv2ze2c'))
    const facet = { index: { byteStart: 0, byteEnd: 11 }, features: [{ $type: bskyIds.facetTag, tag: 'DoNotTrain' }] }
    for (const fields of [{ facets: [facet] }, { tags: ['donottrain'] }, { text: 'my art (#donottrain)' }]) {
      expect(post(fields)).toMatchObject({
        source: 'postTag',
        scope: { type: 'record', uri: `at://${did}/${bskyIds.post}/3l2s5xxv2ze2c`, cid },
        preferences: { trainAi: 'deny' },
      })
    }
    for (const text of ['#donottrainme', 'a#donottrain', 'donottrain', 'hello'])
      expect(post({ text })).toBe('NoDeclaration')
    expect(read({ $type: bskyIds.profile, text: '#donottrain' }, at(bskyIds.post, '3l2s5xxv2ze2c'))).toBe(
      'InvalidDeclaration',
    )
  })

  it('reads #donottrain in the profile description (rkey self only) as an account-wide trainAi deny', () => {
    const profile = { $type: bskyIds.profile, description: 'Illustrator. #donottrain' }
    expect(read(profile, at(bskyIds.profile, 'self'))).toMatchObject({
      source: 'profileTag',
      scope: { type: 'account' },
      preferences: { trainAi: 'deny' },
    })
    expect(read({ ...profile, description: 'Illustrator.' }, at(bskyIds.profile, 'self'))).toBe('NoDeclaration')
    expect(read(profile, at(bskyIds.profile, 'other'))).toBe('NoDeclaration')
  })

  it('maps the foreign vocabularies through the documented tables', () => {
    const intents = {
      $type: ids.OrgUserIntentsDemoDeclaration,
      updatedAt: createdAt,
      bulkDataset: { allow: false, updatedAt: createdAt },
      syntheticContentGeneration: { allow: true, updatedAt: createdAt },
      protocolBridging: { allow: false, updatedAt: createdAt },
    }
    expect(read(intents, at(ids.OrgUserIntentsDemoDeclaration, 'self'))).toMatchObject({
      source: 'userIntents',
      scope: { type: 'account' },
      preferences: { trainAi: 'deny', trainGenai: 'allow' },
    })
    expect(read(intents, at(ids.OrgUserIntentsDemoDeclaration, 'other'))).toBe('InvalidDeclaration')
    const pref = {
      $type: ids.CommunityLexiconPreferenceAi,
      updatedAt: createdAt,
      scope: { $type: `${ids.CommunityLexiconPreferenceAi}#collection`, nsid: bskyIds.post },
      preferences: { training: { allow: false }, inference: { allow: true }, embedding: { allow: false } },
    }
    const prefAt = at(ids.CommunityLexiconPreferenceAi, '3l2s5xxv2ze2c')
    expect(read(pref, prefAt)).toMatchObject({
      source: 'preferenceAi',
      scope: { type: 'collection', collection: bskyIds.post },
      preferences: { trainAi: 'deny', aiInput: 'deny' },
    })
    const entity = (uri: string) => ({ ...pref, scope: { $type: `${ids.CommunityLexiconPreferenceAi}#entity`, uri } })
    const own = `at://${did}/${bskyIds.post}/3l2s5xxv2ze2c`
    expect(read(entity(own), prefAt)).toMatchObject({ scope: { type: 'record', uri: own } })
    expect(read(entity(`at://did:plc:aaaaaaaaaaaaaaaaaaaaaaaa/${bskyIds.post}/3l2s5xxv2ze2c`), prefAt)).toBe(
      'InvalidDeclaration',
    )
  })

  it('UnsupportedCollection for a collection no declaration is read from', () => {
    expect(read({ $type: 'app.bsky.feed.like' }, at('app.bsky.feed.like', '3l2s5xxv2ze2c'))).toBe(
      'UnsupportedCollection',
    )
  })
})

describe('scopeFromView / sameScope / samePreferences', () => {
  it('normalise an indexer declarationView and compare it with a proven declaration', () => {
    const uri = `at://${did}/${bskyIds.post}/3l2s5xxv2ze2c`
    const view = (scope: Record<string, unknown>, originVerified?: boolean) =>
      scopeFromView({ scope: scope as { $type: string }, ...(originVerified !== undefined ? { originVerified } : {}) })
    expect(scopeFromView({ scope: { $type: `${ids.AiDonottrainDeclaration}#accountScope` } })).toEqual({
      type: 'account',
    })
    const target = view({ $type: `${ids.AiDonottrainDefs}#recordTarget`, uri, cid })
    expect(target).toEqual({ type: 'record', uri, cid })
    expect(sameScope({ type: 'record', uri }, target as never)).toBe(true)
    expect(sameScope({ type: 'record', uri, cid: 'bafyother' }, target as never)).toBe(false)
    const origin = view({ $type: `${ids.AiDonottrainDeclaration}#originScope`, origin: 'https://example.com' }, true)
    expect(origin).toEqual({ type: 'origin', origin: 'https://example.com', verified: true })
    expect(sameScope(origin as never, { type: 'origin', origin: 'https://example.com', verified: false })).toBe(true)
    expect(scopeFromView({ scope: { $type: 'com.example#otherScope' } })).toBeUndefined()
    expect(samePreferences({ trainAi: 'deny', search: 'maybe' }, { trainAi: 'deny' })).toBe(true)
    expect(samePreferences({ trainAi: 'deny' }, { trainAi: 'allow' })).toBe(false)
  })
})
