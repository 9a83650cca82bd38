import { encode } from '@atcute/cbor'
import { describe, expect, it } from 'vitest'
import { decodeLeaf, encodeLeaf, leafFields } from './leaf.js'

const row = {
  seq: 7,
  kind: 'create',
  did: 'did:plc:ewvi7nxzyoun6zhxrhs64oiz',
  uri: 'at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/ai.donottrain.declaration/self',
  cid: 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm',
  rev: '3l3qo2vutsw2b',
  indexed_at: '2026-01-01T00:00:00.000Z',
}

describe('decodeLeaf', () => {
  it('round-trips encodeLeaf', () => {
    const fields = leafFields(row)
    expect(fields).toMatchObject({ collection: 'ai.donottrain.declaration', rkey: 'self' })
    const decoded = decodeLeaf(encodeLeaf(fields))
    expect(decoded.ok && decoded.value).toEqual(fields)
  })

  it('rejects bytes that are not exactly a canonical leaf', () => {
    const fields = leafFields(row)
    expect(decodeLeaf(Uint8Array.of(0xff)).ok).toBe(false)
    expect(decodeLeaf(encode({ ...fields, extra: 1 })).ok).toBe(false)
    expect(decodeLeaf(encode({ ...fields, seq: '7' })).ok).toBe(false)
    expect(decodeLeaf(new Uint8Array(5000)).ok).toBe(false)
  })
})
