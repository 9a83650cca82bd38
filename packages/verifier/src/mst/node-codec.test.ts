import { randomBytes } from 'node:crypto'
import { encode as encodeCbor, toBytes, toCidLink } from '@atcute/cbor'
import { decode as decodeCid } from '@atcute/cid'
import { describe, expect, it } from 'vitest'
import { CODEC_RAW, cidForDagCbor, cidToString } from './cid.js'
import { decodeNode, encodeNode } from './node-codec.js'
import type { MstNode } from './types.js'

const randomCid = (): Uint8Array => cidForDagCbor(randomBytes(16))

/** The node as a generic DAG-CBOR value, encoded by @atcute/cbor (an independent encoder). */
function referenceEncode(
  entries: { p: number; k: Uint8Array; v: Uint8Array; t: Uint8Array | null }[],
  l: Uint8Array | null,
): Uint8Array {
  const link = (cid: Uint8Array) => toCidLink(decodeCid(cid))
  return encodeCbor({
    e: entries.map((e) => ({ k: toBytes(e.k), p: e.p, t: e.t === null ? null : link(e.t), v: link(e.v) })),
    l: l === null ? null : link(l),
  })
}

const ascii = (text: string) => new TextEncoder().encode(text)

function sampleNode(): MstNode {
  return {
    left: randomCid(),
    entries: [
      { key: 'app.bsky.feed.like/3jqfcqzm3fo2j', value: randomCid(), right: null },
      { key: 'app.bsky.feed.post/3jqfcqzm3fo2j', value: randomCid(), right: randomCid() },
      { key: 'app.bsky.feed.post/3jqfcqzm3fp2j', value: randomCid(), right: null },
      { key: 'app.bsky.feed.postgate/a', value: randomCid(), right: randomCid() },
    ],
  }
}

describe('encodeNode', () => {
  it('matches a generic DAG-CBOR encoder, with maximal prefix compression', () => {
    const node = sampleNode()
    const [a, b, c, d] = node.entries as [
      MstNode['entries'][0],
      MstNode['entries'][0],
      MstNode['entries'][0],
      MstNode['entries'][0],
    ]
    const expected = referenceEncode(
      [
        { p: 0, k: ascii(a.key), v: a.value, t: a.right },
        { p: 14, k: ascii('post/3jqfcqzm3fo2j'), v: b.value, t: b.right },
        { p: 29, k: ascii('p2j'), v: c.value, t: c.right },
        { p: 18, k: ascii('gate/a'), v: d.value, t: d.right },
      ],
      node.left,
    )
    expect(encodeNode(node)).toEqual(expected)
  })

  it('encodes the empty node as the well-known empty tree root', () => {
    const bytes = encodeNode({ left: null, entries: [] })
    expect(bytes).toEqual(referenceEncode([], null))
    expect(cidToString(cidForDagCbor(bytes))).toBe('bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm')
  })

  it('uses one-byte and two-byte length heads where needed', () => {
    const entries = Array.from({ length: 30 }, (_, i) => ({
      key: `c/${String(i).padStart(3, '0')}${'x'.repeat(300)}`,
      value: randomCid(),
      right: null,
    }))
    const node: MstNode = { left: null, entries }
    const expected = referenceEncode(
      entries.map((e, i) => ({
        p: i === 0 ? 0 : i % 10 === 0 ? 3 : 4,
        k: ascii(e.key.slice(i === 0 ? 0 : i % 10 === 0 ? 3 : 4)),
        v: e.value,
        t: null,
      })),
      null,
    )
    expect(encodeNode(node)).toEqual(expected)
    expect(decodeNode(expected)).toEqual({ ok: true, value: node })
  })
})

describe('decodeNode', () => {
  it('round-trips through encodeNode', () => {
    for (let i = 0; i < 50; i++) {
      const node = sampleNode()
      const decoded = decodeNode(encodeNode(node))
      if (!decoded.ok) throw decoded.error
      expect(decoded.value).toEqual(node)
    }
  })

  const base = sampleNode()
  const entry = (i: number) => base.entries[i] as MstNode['entries'][0]
  const valid = () => [
    { p: 0, k: ascii(entry(0).key), v: entry(0).value, t: entry(0).right },
    { p: 14, k: ascii('post/3jqfcqzm3fo2j'), v: entry(1).value, t: entry(1).right },
  ]

  const expectMalformed = (bytes: Uint8Array, match: RegExp) => {
    const result = decodeNode(bytes)
    if (result.ok) throw new Error('expected a malformed node')
    expect(result.error.code).toBe('MalformedNode')
    expect(result.error.message).toMatch(match)
  }

  it('accepts the reference encoding of a valid node', () => {
    expect(decodeNode(referenceEncode(valid(), base.left)).ok).toBe(true)
  })

  it('rejects a non-maximal key prefix', () => {
    const entries = valid()
    entries[1] = { ...(entries[1] as (typeof entries)[0]), p: 13, k: ascii('.post/3jqfcqzm3fo2j') }
    expectMalformed(referenceEncode(entries, base.left), /prefix is not maximal/)
  })

  it('rejects a prefix longer than the previous key, and a prefix on the first entry', () => {
    const entries = valid()
    entries[1] = { ...(entries[1] as (typeof entries)[0]), p: 99 }
    expectMalformed(referenceEncode(entries, null), /prefix longer/)
    const first = valid()
    first[0] = { ...(first[0] as (typeof first)[0]), p: 1 }
    expectMalformed(referenceEncode(first, null), /prefix longer/)
  })

  it('rejects keys out of order and duplicate keys', () => {
    const entries = valid().reverse()
    entries[0] = { ...(entries[0] as (typeof entries)[0]), p: 0, k: ascii(entry(1).key) }
    entries[1] = { ...(entries[1] as (typeof entries)[0]), p: 14, k: ascii('like/3jqfcqzm3fo2j') }
    expectMalformed(referenceEncode(entries, null), /out of order/)
    const duplicate = valid()
    duplicate[1] = { ...(duplicate[1] as (typeof duplicate)[0]), p: entry(0).key.length, k: new Uint8Array(0) }
    expectMalformed(referenceEncode(duplicate, null), /duplicate key/)
    const shorter = valid()
    shorter[1] = { ...(shorter[1] as (typeof shorter)[0]), p: 10, k: new Uint8Array(0) }
    expectMalformed(referenceEncode(shorter, null), /out of order/)
  })

  it('rejects invalid mst keys', () => {
    for (const key of ['noslash', 'a/b/c', 'app.bsky.feed.post/a b', 'app.bsky.feed.post/\u00e9']) {
      const bytes = key === 'app.bsky.feed.post/\u00e9' ? Uint8Array.from([...ascii('a/'), 0xe9]) : ascii(key)
      expectMalformed(referenceEncode([{ p: 0, k: bytes, v: entry(0).value, t: null }], null), /invalid mst key/)
    }
  })

  it('rejects links that are not DAG-CBOR SHA-256 CIDv1', () => {
    const raw = Uint8Array.from(entry(0).value)
    raw[1] = CODEC_RAW
    expectMalformed(referenceEncode([{ p: 0, k: ascii(entry(0).key), v: raw, t: null }], null), /dag-cbor/)
  })

  it('rejects missing, extra and misordered fields', () => {
    const link = (cid: Uint8Array) => toCidLink(decodeCid(cid))
    const e = { k: toBytes(ascii(entry(0).key)), p: 0, t: null, v: link(entry(0).value) }
    expectMalformed(encodeCbor({ e: [e] }), /expected a map/)
    expectMalformed(encodeCbor({ e: [e], l: null, x: 1 }), /expected a map/)
    expectMalformed(encodeCbor({ e: [{ k: e.k, p: 0, v: e.v }], l: null }), /expected an entry map/)
    expectMalformed(encodeCbor({ e: [{ ...e, x: null }], l: null }), /expected an entry map/)
    // t omitted instead of null
    expectMalformed(encodeCbor({ e: [{ k: e.k, p: 0, v: e.v, z: null }], l: null }), /expected map key t/)
  })

  it('rejects non-canonical heads, trailing bytes and truncation', () => {
    const good = referenceEncode(valid(), base.left)
    // array(2) written as 0x98 0x02
    const longHead = Uint8Array.from([...good.subarray(0, 3), 0x98, 0x02, ...good.subarray(4)])
    expectMalformed(longHead, /non-canonical/)
    expectMalformed(Uint8Array.from([...good, 0x00]), /trailing bytes/)
    for (const cut of [1, 10, good.length - 1])
      expectMalformed(good.subarray(0, cut), /end of node|expected|entry count|runs past/)
  })

  it('rejects anything that is not a map of e and l', () => {
    expectMalformed(encodeCbor([1, 2]), /expected a map/)
    expectMalformed(encodeCbor({ e: [], l: null, m: null }), /expected a map/)
    expectMalformed(new Uint8Array(0), /end of node/)
    expectMalformed(encodeCbor({ e: 'x', l: null }), /major type 4/)
  })

  it('rejects absurd entry counts before allocating', () => {
    const bytes = Uint8Array.from([0xa2, 0x61, 0x65, 0x9a, 0x10, 0x00, 0x00, 0x00])
    expectMalformed(bytes, /entry count/)
  })
})
