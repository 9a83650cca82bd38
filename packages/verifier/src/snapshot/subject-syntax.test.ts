import { isValidDid, isValidRecordKey, parseSubject } from '@donottrain/lexicon'
import { describe, expect, it } from 'vitest'
import { isDidAt, isRecordKeyAt, webOrigin } from './subject-syntax.js'

// Strings near the rules: random picks from an alphabet of every class of character that matters.
const ALPHABET = ['d', 'i', ':', 'a', 'z', 'A', 'Z', '0', '9', '.', '_', '-', '%', '~', '/', ' ', 'é', '\u0000', '😀']
const PREFIXES = ['', 'did:', 'did:plc:', 'did:web:', 'did:PLC:', 'did::', 'did:a']

function* samples(count: number): Generator<string> {
  let seed = 42
  const next = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    return seed
  }
  for (let i = 0; i < count; i++) {
    let s = PREFIXES[next() % PREFIXES.length] as string
    const n = next() % 12
    for (let k = 0; k < n; k++) s += ALPHABET[next() % ALPHABET.length]
    yield s
  }
  yield 'did:plc:'.padEnd(2048, 'a')
  yield 'did:plc:'.padEnd(2049, 'a')
  yield 'a'.repeat(512)
  yield 'a'.repeat(513)
  yield* ['.', '..', '...', 'self', 'did:a:b', 'did:a:b:', 'did:a:%', 'did:a:b%20c']
}

describe('isDidAt and isRecordKeyAt', () => {
  it('agree with @atproto/syntax on 200,000 strings, also inside longer strings', () => {
    const wrong: string[] = []
    for (const s of samples(200_000)) {
      const framed = `a/${s}/did`
      const did = isValidDid(s)
      const rkey = isValidRecordKey(s)
      if (isDidAt(s, 0, s.length) !== did || isDidAt(framed, 2, 2 + s.length) !== did) wrong.push(`did ${s}`)
      if (isRecordKeyAt(s, 0, s.length) !== rkey || isRecordKeyAt(framed, 2, 2 + s.length) !== rkey) {
        wrong.push(`rkey ${s}`)
      }
    }
    expect(wrong).toEqual([])
  })
})

// URL-ish strings: a scheme, a host from parts that stress the WHATWG host parser, a tail.
const SCHEMES = ['https://', 'http://', 'HTTPS://', 'ftp://', 'https:/', 'https:///']
const HOST_PARTS = [
  'a',
  'example',
  'com',
  '.',
  '..',
  '-',
  'xn--',
  'xn--nxasmq6b',
  '0x1f',
  '1',
  '255',
  '09',
  'Ab',
  'é',
  '%41',
]
const HOST_PARTS_2 = ['', ':', ':443', ':80', '@', 'user:pw@', ' ', '\\', '\t']
const TAILS = ['', '/', '/a/b?c#d', '?q', '#f', '/ x', '/%zz', '/😀', '\\x']

describe('webOrigin', () => {
  it('is parseSubject’s web origin whenever it answers, on 100,000 strings', () => {
    let seed = 7
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      return seed >>> 8
    }
    const wrong: string[] = []
    let answered = 0
    for (let i = 0; i < 100_000; i++) {
      let host = ''
      const parts = 1 + (next() % 4)
      for (let k = 0; k < parts; k++)
        host += (k > 0 && next() % 3 > 0 ? '.' : '') + HOST_PARTS[next() % HOST_PARTS.length]
      if (next() % 4 === 0) host += HOST_PARTS_2[next() % HOST_PARTS_2.length]
      const s = `${SCHEMES[next() % SCHEMES.length]}${host}${TAILS[next() % TAILS.length]}`
      const fast = webOrigin(s)
      if (fast === undefined) continue
      answered++
      const p = parseSubject(s)
      if (!p.ok || p.value.kind !== 'web' || p.value.origin !== fast) wrong.push(s)
    }
    for (const s of ['https://bsky.app/profile/a.test', 'https://cdn.bsky.app/img/x', 'http://a.b.c/', 'https://a']) {
      const fast = webOrigin(s)
      const p = parseSubject(s)
      if (fast !== undefined && (!p.ok || p.value.kind !== 'web' || p.value.origin !== fast)) wrong.push(s)
    }
    expect(wrong).toEqual([])
    expect(answered).toBeGreaterThan(1000)
    expect(webOrigin('https://example.com/a/b')).toBe('https://example.com')
    expect(webOrigin('https://bsky.app/profile/a.test')).toBeUndefined()
  })
})

describe('format codecs', () => {
  it('round-trip TIDs and canonical base32 only', async () => {
    const { base32, fromBase32, tidString, tidWords } = await import('./format.js')
    for (const t of ['2222222222222', '3l3qo2vutsw2b', 'jzzzzzzzzzzzz', '7777777777777']) {
      const w = tidWords(t)
      expect(w && tidString(w[0], w[1])).toBe(t)
    }
    for (const t of ['kzzzzzzzzzzzz', '3l3qo2vutsw2', '3l3qo2vutsw2B', '3l3qo2vutsw21'])
      expect(tidWords(t)).toBeUndefined()
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 97 + n) & 0xff)
      const text = base32(bytes, 0, n)
      expect(fromBase32(text)).toEqual(bytes)
      // A last character with non-zero unused bits is not canonical.
      if (n % 5 !== 0) expect(fromBase32(`${text.slice(0, -1)}7`)).toBeUndefined()
      // Whatever decodes, encodes back to the same text.
      for (const extra of ['a', 'b', 'aa', 'q', '7', 'aaa']) {
        const bytes2 = fromBase32(text + extra)
        if (bytes2) expect(base32(bytes2, 0, bytes2.length)).toBe(text + extra)
      }
    }
  })
})
