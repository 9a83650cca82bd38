import { describe, expect, it } from 'vitest'
import { appliesTo, combinePreferences, readPreference, type ScopedDeclaration, verdictFor } from './index.js'

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'
const OTHER = 'did:plc:44ybard66vv44zksje25o7dz'
const POST = `at://${DID}/app.bsky.feed.post/3l2s5xxv2ze2c`

describe('readPreference', () => {
  it('reads allow and deny, and nothing else', () => {
    expect(readPreference('allow')).toBe('allow')
    expect(readPreference('deny')).toBe('deny')
    for (const v of ['Deny', 'no', '', null, undefined, 0, false, {}]) expect(readPreference(v)).toBeUndefined()
  })
})

describe('combinePreferences', () => {
  it('is unknown for every purpose when nothing applies', () => {
    expect(combinePreferences([])).toEqual({
      trainAi: 'unknown',
      trainGenai: 'unknown',
      aiInput: 'unknown',
      search: 'unknown',
    })
  })
  it('a plain #donottrain denies trainAi and so trainGenai', () => {
    expect(combinePreferences([{ trainAi: 'deny' }])).toEqual({
      trainAi: 'deny',
      trainGenai: 'deny',
      aiInput: 'unknown',
      search: 'unknown',
    })
  })
  it('any deny wins over allows, in any order', () => {
    const a = combinePreferences([{ search: 'allow' }, { search: 'deny' }, { search: 'allow' }])
    const b = combinePreferences([{ search: 'deny' }, { search: 'allow' }])
    expect(a.search).toBe('deny')
    expect(b.search).toBe('deny')
  })
  it('allow beats unknown', () => {
    expect(combinePreferences([{}, { aiInput: 'allow' }]).aiInput).toBe('allow')
  })
  it('a trainGenai deny does not deny all of trainAi', () => {
    const v = combinePreferences([{ trainGenai: 'deny', trainAi: 'allow' }])
    expect(v).toMatchObject({ trainAi: 'allow', trainGenai: 'deny' })
  })
  it('trainAi deny overrides a trainGenai allow', () => {
    expect(combinePreferences([{ trainAi: 'deny', trainGenai: 'allow' }]).trainGenai).toBe('deny')
  })
  it('future values are no statement', () => {
    expect(combinePreferences([{ search: 'allow-with-attribution' }]).search).toBe('unknown')
  })
})

describe('appliesTo / verdictFor', () => {
  const account: ScopedDeclaration = { did: DID, scope: { type: 'account' }, preferences: { trainAi: 'deny' } }
  const posts: ScopedDeclaration = {
    did: DID,
    scope: { type: 'collection', collection: 'app.bsky.feed.post' },
    preferences: { search: 'deny' },
  }
  const onePost: ScopedDeclaration = {
    did: DID,
    scope: { type: 'record', uri: POST },
    preferences: { trainAi: 'allow', aiInput: 'allow' },
  }
  const verified: ScopedDeclaration = {
    did: DID,
    scope: { type: 'origin', origin: 'https://alice.example.com', verified: true },
    preferences: { trainAi: 'deny' },
  }
  const unverified: ScopedDeclaration = {
    did: OTHER,
    scope: { type: 'origin', origin: 'https://alice.example.com', verified: false },
    preferences: { search: 'deny' },
  }
  const all = [account, posts, onePost, verified, unverified]

  it('an account subject takes only account-wide declarations', () => {
    const { applied, verdict } = verdictFor({ kind: 'account', did: DID }, all)
    expect(applied).toEqual([account])
    expect(verdict.trainAi).toBe('deny')
  })
  it('a post takes account, collection and record declarations; account deny beats post allow', () => {
    const { applied, verdict } = verdictFor(
      { kind: 'record', did: DID, collection: 'app.bsky.feed.post', rkey: '3l2s5xxv2ze2c' },
      all,
    )
    expect(applied).toEqual([account, posts, onePost])
    expect(verdict).toEqual({ trainAi: 'deny', trainGenai: 'deny', aiInput: 'allow', search: 'deny' })
  })
  it('a like is not covered by a posts collection declaration', () => {
    const like = { kind: 'record', did: DID, collection: 'app.bsky.feed.like', rkey: '3l2s5xxv2ze2c' } as const
    expect(appliesTo(posts, like)).toBe(false)
    expect(appliesTo(account, like)).toBe(true)
  })
  it("another account's declarations never apply", () => {
    expect(verdictFor({ kind: 'account', did: OTHER }, [account, posts, onePost]).applied).toEqual([])
  })
  it('web subjects take only verified origin declarations', () => {
    const { applied, verdict } = verdictFor({ kind: 'web', origin: 'https://alice.example.com' }, all)
    expect(applied).toEqual([verified])
    expect(verdict.search).toBe('unknown')
    expect(verdictFor({ kind: 'web', origin: 'https://other.example.com' }, all).applied).toEqual([])
  })
})
