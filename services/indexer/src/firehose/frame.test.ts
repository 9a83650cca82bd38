import { encode, toBytes } from '@atcute/cbor'
import { describe, expect, it } from 'vitest'
import { checkCborLimits } from './cbor-limits.js'
import { decodeFrame, FrameError } from './frame.js'

const frame = (header: unknown, body: unknown) => {
  const h = encode(header)
  const b = encode(body)
  const out = new Uint8Array(h.length + b.length)
  out.set(h)
  out.set(b, h.length)
  return out
}
const nested = (depth: number): unknown => (depth === 0 ? 1 : [nested(depth - 1)])

describe('checkCborLimits', () => {
  it('accepts nesting up to the limit and rejects one deeper', () => {
    expect(checkCborLimits(encode(nested(32)), 32)).toBeNull()
    expect(checkCborLimits(encode(nested(33)), 32)).toMatch(/deeper than 32/)
    // an empty innermost container is still a level
    const emptyAt = (depth: number, leaf: unknown): unknown => (depth === 1 ? leaf : [emptyAt(depth - 1, leaf)])
    expect(checkCborLimits(encode(emptyAt(33, [])), 32)).toMatch(/deeper than 32/)
    expect(checkCborLimits(encode(emptyAt(33, {})), 32)).toMatch(/deeper than 32/)
    expect(checkCborLimits(encode(emptyAt(32, [])), 32)).toBeNull()
  })
  it('counts maps and arrays alike, and closes containers correctly', () => {
    const value = { a: [1, 2, { b: [3, [4]] }], c: 'x', d: { e: { f: {} } } }
    expect(checkCborLimits(encode(value), 5)).toBeNull()
    expect(checkCborLimits(encode(value), 3)).toMatch(/deeper/)
    // many siblings at depth 1 never add up to depth
    expect(checkCborLimits(encode(Array.from({ length: 1000 }, () => [1])), 2)).toBeNull()
  })
  it('rejects declared lengths longer than the input without allocating', () => {
    expect(checkCborLimits(Uint8Array.from([0x9b, 0, 0, 0, 0x10, 0, 0, 0, 0]), 32)).toMatch(/longer than input/)
    expect(checkCborLimits(Uint8Array.from([0x5a, 0xff, 0xff, 0xff, 0xff]), 32)).toMatch(/longer than input/)
    expect(checkCborLimits(Uint8Array.from([0x19, 0x01]), 32)).toMatch(/truncated/)
  })
})

describe('decodeFrame', () => {
  it('decodes a message frame', () => {
    const f = decodeFrame(frame({ op: 1, t: '#identity' }, { seq: 5, did: 'did:plc:x', time: 'now' }), 1024)
    expect(f).toEqual({ op: 1, t: '#identity', body: { seq: 5, did: 'did:plc:x', time: 'now' } })
  })
  it('decodes an error frame', () => {
    expect(decodeFrame(frame({ op: -1 }, { error: 'FutureCursor', message: 'm' }), 1024)).toEqual({
      op: -1,
      error: 'FutureCursor',
      message: 'm',
    })
  })
  it.each([
    ['oversized', frame({ op: 1, t: '#commit' }, { blob: toBytes(new Uint8Array(2000)) }), 1024, 'too-large'],
    ['too deep', frame({ op: 1, t: '#commit' }, { x: nested(40) }), 1 << 20, 'too-deep'],
    ['garbage', Uint8Array.from([0xff, 0x00, 0x13]), 1024, 'bad-cbor'],
    ['truncated body', frame({ op: 1, t: '#commit' }, { seq: 1, text: 'hello' }).slice(0, -2), 1024, 'bad-cbor'],
    ['header only', encode({ op: 1, t: '#commit' }), 1024, 'bad-cbor'],
    ['header not a map', frame([1], { seq: 1 }), 1024, 'bad-header'],
    ['unknown op', frame({ op: 2, t: '#commit' }, { seq: 1 }), 1024, 'bad-header'],
    ['body not a map', frame({ op: 1, t: '#commit' }, [1]), 1024, 'bad-body'],
    [
      'non-canonical integer',
      Uint8Array.from([...encode({ op: 1, t: '#x' }), 0xa1, 0x61, 0x61, 0x18, 0x01]),
      1024,
      'bad-cbor',
    ],
  ])('rejects %s', (_, bytes, max, reason) => {
    let caught: unknown
    try {
      decodeFrame(bytes, max)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(FrameError)
    expect((caught as FrameError).reason).toBe(reason)
  })
})
