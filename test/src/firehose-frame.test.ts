import { cborDecodeMulti, cborEncode } from '@atproto/common'
import { BlockMap, blocksToCarFile } from '@atproto/repo'
import { describe, expect, it } from 'vitest'
import { encodeCar } from './firehose-car.js'
import { decodeFrame, encodeErrorFrame, encodeFrame, readSeq, withSeq } from './firehose-frame.js'

describe('encodeFrame', () => {
  it('writes the header then the body as two canonical DAG-CBOR items, dropping undefined fields', () => {
    const bytes = encodeFrame({ op: 1, t: '#commit' }, { seq: 7, rebase: false, prevData: undefined, ops: [] })
    const head = cborEncode({ op: 1, t: '#commit' })
    expect(Buffer.from(bytes.subarray(0, head.length)).equals(Buffer.from(head))).toBe(true)
    const [header, body] = cborDecodeMulti(bytes)
    expect(header).toEqual({ op: 1, t: '#commit' })
    expect(body).toEqual({ seq: 7, rebase: false, ops: [] })
    expect(Object.hasOwn(body as object, 'prevData')).toBe(false)
  })

  it('encodes error frames as { op: -1 } + { error, message }', () => {
    const { header, body } = decodeFrame(encodeErrorFrame('FutureCursor', 'Cursor in the future.'))
    expect(header).toEqual({ op: -1 })
    expect(body).toEqual({ error: 'FutureCursor', message: 'Cursor in the future.' })
  })
})

describe('readSeq / withSeq', () => {
  const frame = encodeFrame(
    { op: 1, t: '#commit' },
    { ops: [{ path: 'seq/seq', cid: null }], rev: 'x', seq: 23, repo: 'did:plc:x', blocks: new Uint8Array(300) },
  )

  it('finds the body seq without decoding the frame', () => {
    expect(readSeq(frame)).toBe(23)
    expect(readSeq(encodeErrorFrame('X'))).toBeUndefined()
    expect(readSeq(Uint8Array.of(0xff, 0x00))).toBeUndefined()
  })

  it('re-sequences across integer widths and leaves every other field as it was', () => {
    for (const seq of [0, 24, 255, 256, 65_536, 2 ** 32, 2 ** 40]) {
      const moved = withSeq(frame, seq)
      expect(readSeq(moved)).toBe(seq)
      const before = decodeFrame(frame).body
      const after = decodeFrame(moved).body
      expect({ ...after, seq: 0 }).toEqual({ ...before, seq: 0 })
      expect(moved).toEqual(encodeFrame({ op: 1, t: '#commit' }, { ...before, seq }))
    }
  })
})

describe('encodeCar', () => {
  it('writes the same bytes as @atproto/repo blocksToCarFile for the union of block maps', async () => {
    const a = new BlockMap()
    const b = new BlockMap()
    const root = await a.add({ $type: 'x', n: 1 })
    await a.add({ n: 2 })
    await b.add({ n: 2 })
    await b.add({ big: new Uint8Array(70_000) })
    const union = new BlockMap()
    union.addMap(a)
    union.addMap(b)
    const reference = await blocksToCarFile(root, union)
    expect(Buffer.from(encodeCar(root, [a, b])).equals(Buffer.from(reference))).toBe(true)
  })
})
