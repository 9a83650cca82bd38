import { describe, expect, it } from 'vitest'
import { InvalidPurposeError } from './errors.js'
import { DEFAULT_PREFERENCES, normalizePreferences, samePreferences } from './preferences.js'

describe('normalizePreferences', () => {
  it('keeps known purposes in canonical order', () => {
    const out = normalizePreferences({ search: 'allow', trainAi: 'deny', aiInput: undefined })
    expect(out).toEqual({ trainAi: 'deny', search: 'allow' })
    expect(Object.keys(out)).toEqual(['trainAi', 'search'])
  })

  it('the default is a plain #donottrain', () => {
    expect(normalizePreferences(DEFAULT_PREFERENCES)).toEqual({ trainAi: 'deny' })
  })

  it.each([
    [{ trainLLM: 'deny' }, /unknown purpose purpose="trainLLM"/],
    [{ trainAi: 'no' }, /must be allow or deny purpose=trainAi value="no"/],
    [{ trainAi: 'Deny' }, /must be allow or deny/],
    [{}, /no preference given/],
    [['trainAi'], /must be an object/],
    [null, /must be an object/],
  ])('refuses %j with InvalidPurposeError', (input, message) => {
    let caught: unknown
    try {
      normalizePreferences(input)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(InvalidPurposeError)
    expect((caught as InvalidPurposeError).code).toBe('InvalidPurpose')
    expect((caught as Error).message).toMatch(message)
  })
})

describe('samePreferences', () => {
  it('ignores key order, not values or extra keys', () => {
    expect(samePreferences({ trainAi: 'deny', search: 'allow' }, { search: 'allow', trainAi: 'deny' })).toBe(true)
    expect(samePreferences({ trainAi: 'deny' }, { trainAi: 'allow' })).toBe(false)
    expect(samePreferences({ trainAi: 'deny' }, { trainAi: 'deny', search: 'deny' })).toBe(false)
    expect(samePreferences({ trainAi: 'deny' }, { trainAi: 'deny', other: 'x' } as never)).toBe(false)
  })
})
