import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { MemoryBlockstore, MST, type BlockMap as RepoBlockMap } from '@atproto/repo'
import { readInteropLines } from '@donottrain/test'
import { describe, expect, it } from 'vitest'
import { buildMst } from './build.js'
import { cidForDagCbor, cidToString } from './cid.js'
import { keyHeight } from './key.js'

const require = createRequire(import.meta.url)
type RepoCid = Parameters<RepoBlockMap['get']>[0]
const { CID } = require('multiformats/cid') as { CID: { parse(text: string): RepoCid } }

const EMPTY_ROOT = 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm'
// the value every key points to in the reference "known maps" vectors (@atproto/repo mst.test.ts)
const LEAF = 'bafyreie5cvv4h45feadgeuwhbcutmh6t2ceseocckahdoe6uat64zmz454'
const record = (suffix: string) => `com.example.record/${suffix}`

const rootOf = (keys: string[], value = LEAF): string => {
  const built = buildMst(keys.map((key) => [key, value] as const))
  if (!built.ok) throw built.error
  return built.value.root
}

async function reference(entries: [string, string][]) {
  let mst = await MST.create(new MemoryBlockstore())
  for (const [key, value] of entries) mst = await mst.add(key, CID.parse(value))
  const root = (await mst.getPointer()).toString()
  const blocks = new Map<string, Uint8Array>()
  ;(await mst.getUnstoredBlocks()).blocks.forEach((bytes, cid) => {
    blocks.set(cid.toString(), bytes)
  })
  return { root, blocks }
}

function shuffle<T>(items: T[]): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomBytes(4).readUInt32LE() % (i + 1)
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}

describe('buildMst', () => {
  describe('known roots (atproto interop MST vectors)', () => {
    it('empty tree', () => {
      expect(rootOf([])).toBe(EMPTY_ROOT)
    })

    it('trivial tree', () => {
      expect(rootOf([record('3jqfcqzm3fo2j')])).toBe('bafyreibj4lsc3aqnrvphp5xmrnfoorvru4wynt6lwidqbm2623a6tatzdu')
    })

    it('single key on layer 2', () => {
      expect(keyHeight(record('3jqfcqzm3fx2j'))).toBe(2)
      expect(rootOf([record('3jqfcqzm3fx2j')])).toBe('bafyreih7wfei65pxzhauoibu3ls7jgmkju4bspy4t2ha2qdjnzqvoy33ai')
    })

    it('simple tree', () => {
      const keys = ['3jqfcqzm3fp2j', '3jqfcqzm3fr2j', '3jqfcqzm3fs2j', '3jqfcqzm3ft2j', '3jqfcqzm4fc2j'].map(record)
      expect(rootOf(keys)).toBe('bafyreicmahysq4n6wfuxo522m6dpiy7z7qzym3dzs756t5n7nfdgccwq7m')
    })

    it('trims the top of the tree when the only layer-1 key goes', () => {
      const keys = [
        '3jqfcqzm3fn2j',
        '3jqfcqzm3fo2j',
        '3jqfcqzm3fp2j',
        '3jqfcqzm3fs2j',
        '3jqfcqzm3ft2j',
        '3jqfcqzm3fu2j',
      ]
      expect(rootOf(keys.map(record))).toBe('bafyreifnqrwbk6ffmyaz5qtujqrzf5qmxf7cbxvgzktl4e3gabuxbtatv4')
      expect(rootOf(keys.filter((k) => k !== '3jqfcqzm3fs2j').map(record))).toBe(
        'bafyreie4kjuxbwkhzg2i5dljaswcroeih4dgiqq6pazcmunwt2byd725vi',
      )
    })

    it('splits two layers down', () => {
      const keys = [
        '3jqfcqzm3fo2j',
        '3jqfcqzm3fp2j',
        '3jqfcqzm3fr2j',
        '3jqfcqzm3fs2j',
        '3jqfcqzm3ft2j',
        '3jqfcqzm3fz2j',
      ]
      keys.push('3jqfcqzm4fc2j', '3jqfcqzm4fd2j', '3jqfcqzm4ff2j', '3jqfcqzm4fg2j', '3jqfcqzm4fh2j')
      expect(rootOf(keys.map(record))).toBe('bafyreiettyludka6fpgp33stwxfuwhkzlur6chs4d2v4nkmq2j3ogpdjem')
      expect(rootOf([...keys, '3jqfcqzm3fx2j'].map(record))).toBe(
        'bafyreid2x5eqs4w4qxvc5jiwda4cien3gw2q6cshofxwnvv7iucrmfohpm',
      )
    })

    it('adds a root two layers above the existing one', () => {
      const keys = ['3jqfcqzm3ft2j', '3jqfcqzm3fz2j'].map(record)
      expect(rootOf(keys)).toBe('bafyreidfcktqnfmykz2ps3dbul35pepleq7kvv526g47xahuz3rqtptmky')
      expect(rootOf([...keys, record('3jqfcqzm3fx2j')])).toBe(
        'bafyreiavxaxdz7o7rbvr3zg2liox2yww46t7g6hkehx4i4h3lwudly7dhy',
      )
      expect(rootOf([...keys, record('3jqfcqzm3fx2j'), record('3jqfcqzm4fd2j')])).toBe(
        'bafyreig4jv3vuajbsybhyvb7gggvpwh2zszwfyttjrj6qwvcsp24h6popu',
      )
    })
  })

  it('is independent of insertion order, and matches @atproto/repo on the interop example keys', async () => {
    const keys = readInteropLines('mst', 'example_keys.txt')
    const entries = keys.map((key) => [key, cidToString(cidForDagCbor(randomBytes(8)))] as [string, string])
    const expected = await reference(entries)
    for (let i = 0; i < 5; i++) {
      const built = buildMst(shuffle(entries))
      if (!built.ok) throw built.error
      expect(built.value.root).toBe(expected.root)
      expect([...built.value.blocks.keys()].sort()).toEqual([...expected.blocks.keys()].sort())
      for (const [cid, bytes] of built.value.blocks) expect(bytes).toEqual(expected.blocks.get(cid))
    }
  })

  it.each([1, 2, 3, 4, 7, 16, 50, 200, 1000])('matches @atproto/repo on %i random keys', async (size) => {
    const entries = new Map<string, string>()
    while (entries.size < size) {
      entries.set(`app.bsky.feed.post/${randomBytes(6).toString('hex')}`, cidToString(cidForDagCbor(randomBytes(8))))
    }
    const expected = await reference([...entries])
    const built = buildMst(shuffle([...entries]))
    if (!built.ok) throw built.error
    expect(built.value.root).toBe(expected.root)
    expect(built.value.blocks.size).toBe(expected.blocks.size)
  })

  it('fails with OpMismatch on a duplicate key, InvalidKey on a bad key, InvalidOp on a bad CID', () => {
    const dup = buildMst([
      [record('a'), LEAF],
      [record('a'), LEAF],
    ])
    expect(dup.ok ? null : dup.error.code).toBe('OpMismatch')
    const bad = buildMst([['no-slash', LEAF]])
    expect(bad.ok ? null : bad.error.code).toBe('InvalidKey')
    const badCid = buildMst([[record('a'), 'bafy']])
    expect(badCid.ok ? null : badCid.error.code).toBe('InvalidOp')
  })
})
