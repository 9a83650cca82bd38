import { readInteropJson, readInteropLines } from '@donottrain/test'
import { describe, expect, it } from 'vitest'
import { commonPrefixLength, formatMstKey, isValidMstKey, keyHeight, MAX_MST_KEY_LENGTH } from './key.js'

type HeightVector = { key: string; height: number }
type PrefixVector = { left: string; right: string; len: number }

describe('keyHeight', () => {
  const vectors = readInteropJson<HeightVector[]>('mst', 'key_heights.json')

  it('has interop vectors', () => {
    expect(vectors.length).toBeGreaterThan(5)
  })

  it.each(vectors.map((v) => [v.key, v.height] as const))('key %j has height %i', (key, height) => {
    expect(keyHeight(key)).toBe(height)
    expect(keyHeight(new TextEncoder().encode(key))).toBe(height)
  })

  it('gives fanout 4: height 0 for 3/4 of keys, height 1 for 3/16', () => {
    const counts = new Map<number, number>()
    for (let i = 0; i < 20_000; i++) {
      const height = keyHeight(`com.example.record/${i}`)
      counts.set(height, (counts.get(height) ?? 0) + 1)
    }
    const zero = counts.get(0) ?? 0
    const one = counts.get(1) ?? 0
    expect(zero / 20_000).toBeGreaterThan(0.72)
    expect(zero / 20_000).toBeLessThan(0.78)
    expect(one / zero).toBeGreaterThan(0.21)
    expect(one / zero).toBeLessThan(0.29)
  })
})

describe('commonPrefixLength', () => {
  const vectors = readInteropJson<PrefixVector[]>('mst', 'common_prefix.json')

  it('has interop vectors', () => {
    expect(vectors.length).toBeGreaterThan(5)
  })

  it.each(vectors.map((v) => [v.left, v.right, v.len] as const))('%j and %j share %i', (left, right, len) => {
    expect(commonPrefixLength(left, right)).toBe(len)
  })
})

describe('isValidMstKey', () => {
  it('accepts every interop example key', () => {
    const keys = readInteropLines('mst', 'example_keys.txt')
    expect(keys.length).toBeGreaterThan(100)
    for (const key of keys) expect(isValidMstKey(key), key).toBe(true)
  })

  it.each([
    'app.bsky.feed.post/3jqfcqzm3fo2j',
    'ai.donottrain.declaration/self',
    'a/b',
    'com.example/a_b~c-d:e.f',
    `c/${'a'.repeat(MAX_MST_KEY_LENGTH - 2)}`,
  ])('accepts %s', (key) => {
    expect(isValidMstKey(key)).toBe(true)
  })

  it.each([
    '',
    'nocollection',
    '/rkey',
    'collection/',
    'a/b/c',
    'a//b',
    'app.bsky.feed.post/3jq fcq',
    'app.bsky.feed.post/é',
    'app.bsky.feed.post/a\u0000',
    'app.bsky.feed.post/a#b',
    `c/${'a'.repeat(MAX_MST_KEY_LENGTH - 1)}`,
  ])('rejects %j', (key) => {
    expect(isValidMstKey(key)).toBe(false)
  })
})

describe('formatMstKey', () => {
  it('joins collection and rkey with a slash', () => {
    expect(formatMstKey('ai.donottrain.declaration', 'self')).toBe('ai.donottrain.declaration/self')
  })
})
