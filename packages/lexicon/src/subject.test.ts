import { readInteropLines } from '@donottrain/test'
import { describe, expect, it } from 'vitest'
import {
  isValidAtUri,
  isValidDatetime,
  isValidDid,
  isValidHandle,
  isValidNsid,
  isValidRecordKey,
  isValidTid,
  parseSubject,
  type Subject,
} from './index.js'

const vectors = (name: string) => ({
  valid: readInteropLines(`syntax/${name}_syntax_valid.txt`),
  invalid: readInteropLines(`syntax/${name}_syntax_invalid.txt`),
})
const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'

function parsed(input: string): Subject {
  const res = parseSubject(input)
  if (!res.ok) throw res.error
  return res.value
}

describe('syntax validators against the interop vectors', () => {
  const cases: Array<[string, (s: string) => boolean]> = [
    ['did', isValidDid],
    ['handle', isValidHandle],
    ['nsid', isValidNsid],
    ['aturi', isValidAtUri],
    ['recordkey', isValidRecordKey],
    ['tid', isValidTid],
    ['datetime', isValidDatetime],
  ]
  for (const [name, fn] of cases) {
    const { valid, invalid } = vectors(name)
    it(`${name}: ${valid.length} valid accepted, ${invalid.length} invalid rejected`, () => {
      expect(valid.length).toBeGreaterThan(0)
      expect(invalid.length).toBeGreaterThan(0)
      for (const v of valid) expect(fn(v), `valid ${name} ${JSON.stringify(v)}`).toBe(true)
      for (const v of invalid) expect(fn(v), `invalid ${name} ${JSON.stringify(v)}`).toBe(false)
    })
  }
  it('datetime: strings that look right but do not parse are rejected', () => {
    const lines = readInteropLines('syntax/datetime_parse_invalid.txt')
    expect(lines.length).toBeGreaterThan(0)
    for (const v of lines) expect(isValidDatetime(v), v).toBe(false)
  })
})

describe('parseSubject', () => {
  describe('interop vectors', () => {
    it('every valid DID is an account subject; no invalid DID is taken for a DID', () => {
      const { valid, invalid } = vectors('did')
      for (const v of valid) expect(parsed(v)).toEqual({ kind: 'account', input: v, actor: { did: v } })
      for (const v of invalid) {
        const res = parseSubject(v)
        // 'did.method.val' is not a DID but is a well-formed handle, and parses as one.
        if (res.ok) expect(res.value, v).toEqual({ kind: 'account', input: v, actor: { handle: v.toLowerCase() } })
      }
      expect(invalid.filter((v) => parseSubject(v).ok)).toEqual(['did.method.val'])
    })
    it('every valid handle is an account subject (lower-cased); every invalid handle is rejected', () => {
      const { valid, invalid } = vectors('handle')
      for (const v of valid)
        expect(parsed(v)).toEqual({ kind: 'account', input: v, actor: { handle: v.toLowerCase() } })
      for (const v of invalid) expect(parseSubject(v).ok, v).toBe(false)
    })
    it('every valid at-uri parses to its account, collection or record; every invalid one is rejected', () => {
      const { valid, invalid } = vectors('aturi')
      for (const v of valid) {
        const s = parsed(v)
        const depth = v.slice(5).split('/').length
        expect(s.kind, v).toBe(['account', 'collection', 'record'][depth - 1])
      }
      for (const v of invalid) expect(parseSubject(v).ok, v).toBe(false)
    })
    it('NSIDs: valid ones name a collection subject; invalid ones are rejected', () => {
      const { valid, invalid } = vectors('nsid')
      for (const v of valid) expect(parsed(`at://${DID}/${v}`)).toMatchObject({ kind: 'collection', collection: v })
      for (const v of invalid) expect(parseSubject(`at://${DID}/${v}`).ok, v).toBe(false)
    })
    it('record keys: valid ones name a record subject; invalid ones are rejected', () => {
      const { valid, invalid } = vectors('recordkey')
      for (const v of valid) {
        expect(parsed(`at://${DID}/app.bsky.feed.post/${v}`)).toMatchObject({ kind: 'record', rkey: v })
      }
      for (const v of invalid) expect(parseSubject(`at://${DID}/app.bsky.feed.post/${v}`).ok, v).toBe(false)
    })
  })

  describe('web and app URLs', () => {
    it.each([
      ['https://bsky.app/profile/alice.bsky.social', { kind: 'account', actor: { handle: 'alice.bsky.social' } }],
      ['https://bsky.app/profile/Alice.Bsky.Social', { kind: 'account', actor: { handle: 'alice.bsky.social' } }],
      [`https://bsky.app/profile/${DID}`, { kind: 'account', actor: { did: DID } }],
      [`https://bsky.app/profile/${DID}/followers`, { kind: 'account', actor: { did: DID } }],
      [
        'https://bsky.app/profile/alice.bsky.social/post/3l2s5xxv2ze2c',
        {
          kind: 'record',
          actor: { handle: 'alice.bsky.social' },
          collection: 'app.bsky.feed.post',
          rkey: '3l2s5xxv2ze2c',
        },
      ],
      [
        `https://bsky.app/profile/${DID}/post/3l2s5xxv2ze2c?ref=x#y`,
        { kind: 'record', actor: { did: DID }, collection: 'app.bsky.feed.post', rkey: '3l2s5xxv2ze2c' },
      ],
      [
        `https://bsky.app/profile/${DID}/feed/whats-hot`,
        { kind: 'record', collection: 'app.bsky.feed.generator', rkey: 'whats-hot' },
      ],
      [
        `https://cdn.bsky.app/img/feed_fullsize/plain/${DID}/bafkreibjfgx2gprinfvicegelk5kosd6y2frmqpqzwqkg7usac74l3t2v4@jpeg`,
        { kind: 'blob', actor: { did: DID }, cid: 'bafkreibjfgx2gprinfvicegelk5kosd6y2frmqpqzwqkg7usac74l3t2v4' },
      ],
      [
        `https://cdn.bsky.app/img/avatar/plain/${DID}/bafkreibjfgx2gprinfvicegelk5kosd6y2frmqpqzwqkg7usac74l3t2v4`,
        { kind: 'blob', actor: { did: DID } },
      ],
      [
        'https://video.bsky.app/watch/did%3Aplc%3Aewvi7nxzyoun6zhxrhs64oiz/bafkreibjfgx2gprinfvicegelk5kosd6y2frmqpqzwqkg7usac74l3t2v4/playlist.m3u8',
        { kind: 'blob', actor: { did: DID } },
      ],
      ['https://example.com/blog/post-1?x=1', { kind: 'web', origin: 'https://example.com', host: 'example.com' }],
      ['https://EXAMPLE.com:8443/a', { kind: 'web', origin: 'https://example.com:8443', host: 'example.com' }],
      ['http://example.com/a', { kind: 'web', origin: 'http://example.com' }],
      ['https://bsky.app/about', { kind: 'web', origin: 'https://bsky.app' }],
      ['@alice.bsky.social', { kind: 'account', actor: { handle: 'alice.bsky.social' } }],
    ])('%s', (input, expected) => {
      expect(parsed(input)).toMatchObject({ input, ...expected })
    })

    it.each([
      '',
      ' alice.bsky.social',
      'alice.bsky.social\n',
      'alice',
      'ftp://example.com/x',
      'javascript:alert(1)',
      'https://',
      'https://bsky.app/profile/not_a_handle',
      'https://bsky.app/profile/alice.bsky.social/post/',
      'https://bsky.app/profile/alice.bsky.social/post/a/b',
      'https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:/bafkrei@jpeg',
      `https://cdn.bsky.app/img/feed_fullsize/plain/${DID}/x@jpeg`,
      'at://',
      `at://${DID}/app.bsky.feed.post/3l2s5xxv2ze2c/extra`,
      'did:plc:',
      'x'.repeat(8193),
    ])('rejects %j with a typed error', (input) => {
      const res = parseSubject(input)
      expect(res.ok).toBe(false)
      if (!res.ok) {
        expect(res.error.name).toBe('InvalidSubjectError')
        expect(res.error.code).toBe('InvalidSubject')
      }
    })

    it('does not throw on hostile input', () => {
      for (const input of [
        '%',
        'https://bsky.app/profile/%E0%A4%A',
        'at://%00',
        '\u0000',
        'https://[::1',
        `did:${'a'.repeat(9000)}`,
      ]) {
        expect(() => parseSubject(input)).not.toThrow()
      }
      expect(parseSubject(42 as unknown as string).ok).toBe(false)
    })
  })
})
