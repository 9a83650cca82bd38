import { describe, expect, it } from 'vitest'
import fixtures from './fixtures/declarations.json' with { type: 'json' }
import { type DeclarationErrorCode, splitRecordUri, validateDeclaration } from './index.js'

type Case = { name: string; rkey: string; record: unknown; scope?: string; code?: DeclarationErrorCode }
const { did } = fixtures
const valid = fixtures.valid as Case[]
const invalid = fixtures.invalid as Case[]

describe('validateDeclaration', () => {
  it('has a real corpus to judge', () => {
    expect(valid.length).toBeGreaterThanOrEqual(10)
    expect(invalid.length).toBeGreaterThanOrEqual(20)
  })

  it.each(valid.map((c) => [c.name, c]))('accepts: %s', (_, c) => {
    const res = validateDeclaration(c.record, { did, rkey: c.rkey })
    if (!res.ok) throw res.error
    expect(res.value.scope.type).toBe(c.scope)
    if (res.value.scope.type === 'origin') expect(res.value.scope.verified).toBe(false)
  })

  it.each(invalid.map((c) => [c.name, c]))('rejects: %s', (_, c) => {
    const res = validateDeclaration(c.record, { did, rkey: c.rkey })
    expect(res.ok).toBe(false)
    if (res.ok) return
    expect(res.error.name).toBe('InvalidDeclarationError')
    expect(res.error.code).toBe(c.code)
    expect(res.error.message).not.toBe('')
  })

  it('without context, checks the record alone (no rkey pairing, no own-repo rule)', () => {
    const foreign = invalid.find((c) => c.code === 'ForeignSubject')
    const mismatched = invalid.find((c) => c.code === 'ScopeKeyMismatch')
    expect(validateDeclaration(foreign?.record).ok).toBe(true)
    expect(validateDeclaration(mismatched?.record).ok).toBe(true)
  })

  it('rejects non-objects without throwing', () => {
    for (const v of [null, undefined, 42, 'ai.donottrain.declaration', [], new Uint8Array(4)]) {
      const res = validateDeclaration(v)
      expect(res.ok).toBe(false)
    }
  })
})

describe('splitRecordUri', () => {
  it('splits a record at-uri with a DID authority', () => {
    expect(splitRecordUri(`at://${did}/app.bsky.feed.post/3l2s5xxv2ze2c`)).toEqual({
      did,
      collection: 'app.bsky.feed.post',
      rkey: '3l2s5xxv2ze2c',
    })
  })
  it.each([
    `at://${did}`,
    `at://${did}/app.bsky.feed.post`,
    'at://alice.test/app.bsky.feed.post/x',
    `at://${did}/x/y/z`,
    'https://x',
  ])('returns null for %s', (uri) => {
    expect(splitRecordUri(uri)).toBeNull()
  })
})
