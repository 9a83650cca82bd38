import { createHash, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { leadingZeroBits } from './key-hash.js'

/** Leading zero bits of node:crypto's SHA-256, the reference. */
function expected(input: string | Uint8Array): number {
  const digest = createHash('sha256').update(input).digest()
  let zeros = 0
  for (const byte of digest) {
    if (byte !== 0) return zeros + Math.clz32(byte) - 24
    zeros += 8
  }
  return zeros
}

const asciiString = (length: number): string =>
  Array.from(randomBytes(length), (byte) => String.fromCharCode(0x20 + (byte % 0x5f))).join('')

describe('leadingZeroBits', () => {
  it('agrees with node:crypto on ASCII strings of every length across the block boundaries', () => {
    for (let length = 0; length <= 300; length++) {
      for (let i = 0; i < 4; i++) {
        const text = asciiString(length)
        expect(leadingZeroBits(text), text).toBe(expected(text))
      }
    }
  })

  it('agrees with node:crypto on many MST-like keys (heights 0 to 4 and more)', () => {
    const seen = new Set<number>()
    for (let i = 0; i < 20_000; i++) {
      const key = `app.bsky.feed.post/3k${i.toString(32).padStart(11, 'a')}`
      const zeros = expected(key)
      seen.add(zeros >>> 1)
      expect(leadingZeroBits(key)).toBe(zeros)
    }
    expect(Math.max(...seen)).toBeGreaterThanOrEqual(4)
  })

  it('hashes non-ASCII strings as UTF-8, and bytes as they are', () => {
    for (const text of ['é', 'app.bsky.feed.post/ü', '日本語/キー', '\u{1f600}']) {
      expect(leadingZeroBits(text)).toBe(expected(text))
    }
    for (let length = 0; length < 100; length += 7) {
      const bytes = Uint8Array.from(randomBytes(length))
      expect(leadingZeroBits(bytes)).toBe(expected(bytes))
    }
  })

  it('agrees with node:crypto on long strings (hashed there)', () => {
    for (const length of [4096, 4097, 10_000]) {
      const text = asciiString(length)
      expect(leadingZeroBits(text)).toBe(expected(text))
    }
  })
})
