import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { encode as encodeCbor, toCidLink } from '@atcute/cbor'
import { decode as decodeCid } from '@atcute/cid'
import { BlockMap, blocksToCarFile, type BlockMap as RepoBlockMap, readCarWithRoot } from '@atproto/repo'
import { describe, expect, it } from 'vitest'
import { CODEC_RAW, cidForDagCbor, cidToString } from '../mst/index.js'
import { DEFAULT_CAR_LIMITS, readCar } from './car-reader.js'
import { writeCar } from './car-writer.js'
import { encodeVarint, readVarint } from './varint.js'

type RepoCid = Parameters<RepoBlockMap['get']>[0]
const { CID } = createRequire(import.meta.url)('multiformats/cid') as { CID: { parse(text: string): RepoCid } }

function randomBlocks(count: number): [string, Uint8Array][] {
  return Array.from({ length: count }, () => {
    const bytes = encodeCbor({ text: randomBytes(1 + (randomBytes(1)[0] as number)).toString('hex') })
    return [cidToString(cidForDagCbor(bytes)), bytes] as [string, Uint8Array]
  })
}

const concat = (...parts: ArrayLike<number>[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => Array.from(p)))

/** A CAR with any header value, and blocks framed as given. */
function carWithHeader(header: unknown, blocks: [Uint8Array, Uint8Array][] = []): Uint8Array {
  const bytes = encodeCbor(header)
  return concat(
    encodeVarint(bytes.length),
    bytes,
    ...blocks.flatMap(([cid, data]) => [encodeVarint(cid.length + data.length), cid, data]),
  )
}

const link = (cid: Uint8Array) => toCidLink(decodeCid(cid))

const expectError = (bytes: Uint8Array, code: string, match?: RegExp, limits?: Parameters<typeof readCar>[1]) => {
  const result = readCar(bytes, limits)
  if (result.ok) throw new Error(`expected ${code}`)
  expect(result.error.code).toBe(code)
  expect(result.error.name).toBe('ProofError')
  if (match) expect(result.error.message).toMatch(match)
}

describe('readCar', () => {
  const blocks = randomBlocks(5)
  const root = blocks[0]?.[0] as string
  const car = writeCar(root, blocks)

  it('reads what writeCar writes', () => {
    expect(readCar(car)).toEqual({ ok: true, value: { root, blocks: new Map(blocks) } })
  })

  it('reads a CAR written by @atproto/repo, and @atproto/repo reads ours', async () => {
    const map = new BlockMap()
    for (const [cid, bytes] of blocks) map.set(CID.parse(cid), bytes)
    const theirs = await blocksToCarFile(CID.parse(root), map)
    expect(readCar(theirs)).toEqual({ ok: true, value: { root, blocks: new Map(blocks) } })
    const read = await readCarWithRoot(car)
    expect(read.root.toString()).toBe(root)
    expect(read.blocks.size).toBe(blocks.length)
  })

  it('reads a CAR with no blocks, and a repeated block once', () => {
    expect(readCar(writeCar(root, []))).toEqual({ ok: true, value: { root, blocks: new Map() } })
    const first = blocks[0] as [string, Uint8Array]
    const read = readCar(writeCar(root, [first, first]))
    expect(read.ok && read.value.blocks.size).toBe(1)
  })

  it('CidMismatch when a block does not hash to its CID', () => {
    const [a, b] = blocks as [[string, Uint8Array], [string, Uint8Array]]
    expectError(writeCar(root, [[a[0], b[1]]]), 'CidMismatch', new RegExp(a[0]))
    const flipped = Uint8Array.from(car)
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] as number) ^ 1
    expectError(flipped, 'CidMismatch')
  })

  it('MalformedCar for truncation at any point inside the header or a block', () => {
    const boundaries = new Set<number>()
    let at = (readVarint(car, 0)?.next ?? 0) + (readVarint(car, 0)?.value ?? 0)
    boundaries.add(at)
    while (at < car.length) {
      const length = readVarint(car, at)
      if (length === undefined) throw new Error('bad fixture')
      at = length.next + length.value
      boundaries.add(at)
    }
    for (let cut = 0; cut < car.length; cut++) {
      if (!boundaries.has(cut)) expectError(car.subarray(0, cut), 'MalformedCar')
    }
  })

  it('MalformedCar for trailing junk', () => {
    for (const junk of [[0x00], [0x25], [0x80], [0x30, ...new Array(10).fill(1)], [0x24, 1, 0x71, 0x12, 0x20]]) {
      expectError(concat(car, junk), 'MalformedCar')
    }
  })

  it('MalformedCar over the size or block caps', () => {
    expectError(car, 'MalformedCar', /size cap/, { maxBytes: car.length - 1 })
    expectError(car, 'MalformedCar', /block cap/, { maxBlocks: blocks.length - 1 })
    expect(readCar(car, { maxBytes: car.length, maxBlocks: blocks.length }).ok).toBe(true)
    expect(DEFAULT_CAR_LIMITS.maxBytes).toBe(2 * 1024 * 1024)
  })

  it('MalformedCar for headers that are not exactly {version: 1, roots: [one cid]}', () => {
    const rootBytes = cidForDagCbor(blocks[0]?.[1] as Uint8Array)
    expect(readCar(carWithHeader({ version: 1, roots: [link(rootBytes)] })).ok).toBe(true)
    const raw = Uint8Array.from(rootBytes)
    raw[1] = CODEC_RAW
    for (const [header, match] of [
      [{ version: 1, roots: [] }, /exactly one root/],
      [{ version: 1, roots: [link(rootBytes), link(rootBytes)] }, /exactly one root/],
      [{ version: 2, roots: [link(rootBytes)] }, /version must be 1/],
      [{ version: 1, roots: [link(rootBytes)], extra: true }, /exactly \{version, roots\}/],
      [{ version: 1, roots: [link(raw)] }, /root is not a dag-cbor/],
      [{ version: 1, roots: ['bafy'] }, /root is not/],
      [[1, 2], /exactly \{version, roots\}/],
    ] as const) {
      expectError(carWithHeader(header), 'MalformedCar', match)
    }
    // keys out of canonical order: version before roots
    const good = encodeCbor({ version: 1, roots: [link(rootBytes)] })
    const misordered = concat([0xa2], good.subarray(1 + 6 + 1 + 41), good.subarray(1, 1 + 6 + 1 + 41))
    expectError(concat(encodeVarint(misordered.length), misordered), 'MalformedCar', /canonical/)
    expectError(Uint8Array.of(0x00), 'MalformedCar', /header length/)
    expectError(new Uint8Array(0), 'MalformedCar')
    expectError(concat([0x80, 0x00]), 'MalformedCar', /shortest-form/)
  })

  it('MalformedCar for blocks with CIDs that are not DAG-CBOR SHA-256 CIDv1', () => {
    const [cid, data] = blocks[0] as [string, Uint8Array]
    const header = { version: 1, roots: [link(cidForDagCbor(data))] }
    const raw = cidForDagCbor(data)
    raw[1] = CODEC_RAW
    expectError(carWithHeader(header, [[raw, data]]), 'MalformedCar', /block cid/)
    const v0 = concat([0x12, 0x20], cidForDagCbor(data).subarray(4))
    expectError(carWithHeader(header, [[v0, concat(data, [0, 0])]]), 'MalformedCar', /block cid/)
    expect(readCar(carWithHeader(header, [[cidForDagCbor(data), data]]))).toEqual({
      ok: true,
      value: { root: cid, blocks: new Map([[cid, data]]) },
    })
  })
})

describe('readVarint', () => {
  it.each([0, 1, 127, 128, 300, 16384, 2 ** 31, 2 ** 40])('round-trips %i', (n) => {
    expect(readVarint(encodeVarint(n), 0)).toEqual({ value: n, next: encodeVarint(n).length })
  })

  it('rejects non-shortest, truncated and oversized varints', () => {
    expect(readVarint(Uint8Array.of(0x81, 0x00), 0)).toBeUndefined()
    expect(readVarint(Uint8Array.of(0x81), 0)).toBeUndefined()
    expect(readVarint(new Uint8Array(9).fill(0xff), 0)).toBeUndefined()
  })
})
