import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { MemoryBlockstore, MST, type BlockMap as RepoBlockMap } from '@atproto/repo'
import { describe, expect, it } from 'vitest'
import { buildMst } from './build.js'
import { cidForDagCbor, cidToString } from './cid.js'
import { invertOps, type MstOp } from './invert.js'
import { keyHeight } from './key.js'
import { encodeNode } from './node-codec.js'

// @atproto/repo is the reference: it builds the trees and the covering proofs (the blocks a
// Sync 1.1 #commit carries); invertOps must reproduce the reference's old root from them.
const require = createRequire(import.meta.url)
type RepoCid = Parameters<RepoBlockMap['get']>[0]
const { CID } = require('multiformats/cid') as { CID: { parse(text: string): RepoCid } }

const toMap = (blocks: RepoBlockMap): Map<string, Uint8Array> => {
  const map = new Map<string, Uint8Array>()
  blocks.forEach((bytes, cid) => {
    map.set(cid.toString(), bytes)
  })
  return map
}

/** A deterministic PRNG (mulberry32), so a failing seed can be replayed. */
function prng(seed: number): (n: number) => number {
  let state = seed >>> 0
  return (n) => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)
  }
}

const COLLECTIONS = ['app.bsky.feed.like', 'app.bsky.feed.post', 'app.bsky.graph.follow', 'ai.donottrain.declaration']
const TID_CHARS = '234567abcdefghijklmnopqrstuvwxyz'

function randomKey(rand: (n: number) => number): string {
  let rkey = TID_CHARS[rand(16)] as string
  for (let i = 0; i < 12; i++) rkey += TID_CHARS[rand(32)]
  return `${COLLECTIONS[rand(COLLECTIONS.length)]}/${rkey}`
}

/** A random key of height 2 or more (1 in 16 keys), to make roots grow and shrink by layers. */
function randomHighKey(rand: (n: number) => number): string {
  for (;;) {
    const key = randomKey(rand)
    if (keyHeight(key) >= 2) return key
  }
}

const randomCid = (): string => cidToString(cidForDagCbor(randomBytes(8)))

type Fixture = {
  comment: string
  leafValue: string
  keys: string[]
  adds: string[]
  dels: string[]
  rootBeforeCommit: string
  rootAfterCommit: string
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items]
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((p) => [item, ...p]),
  )
}

async function coveringProof(mst: MST, paths: string[]): Promise<Map<string, Uint8Array>> {
  const map = new Map<string, Uint8Array>()
  for (const path of paths) for (const [cid, bytes] of toMap(await mst.getCoveringProof(path))) map.set(cid, bytes)
  return map
}

describe('invertOps', () => {
  describe('reference commit-proof fixtures (@atproto/repo tests)', () => {
    const file = join(dirname(require.resolve('@atproto/repo')), '..', 'tests', 'commit-proof-fixtures.json')
    const fixtures = JSON.parse(readFileSync(file, 'utf8')) as Fixture[]

    it('has fixtures', () => {
      expect(fixtures.length).toBeGreaterThanOrEqual(6)
    })

    it.each(fixtures.map((f) => [f.comment, f] as const))('%s: inverts in every op order', async (_, fixture) => {
      const leaf = CID.parse(fixture.leafValue)
      let mst = await MST.create(new MemoryBlockstore())
      for (const key of fixture.keys) mst = await mst.add(key, leaf)
      for (const key of fixture.adds) mst = await mst.add(key, leaf)
      for (const key of fixture.dels) mst = await mst.delete(key)
      expect((await mst.getPointer()).toString()).toBe(fixture.rootAfterCommit)
      const proof = await coveringProof(mst, [...fixture.adds, ...fixture.dels])
      const ops: MstOp[] = [
        ...fixture.adds.map((path) => ({ action: 'create' as const, path, cid: fixture.leafValue })),
        ...fixture.dels.map((path) => ({ action: 'delete' as const, path, cid: null, prev: fixture.leafValue })),
      ]
      for (const order of permutations(ops)) {
        expect(invertOps(fixture.rootAfterCommit, order, proof)).toEqual({ ok: true, value: fixture.rootBeforeCommit })
      }
    })
  })

  describe('random trees and op batches, cross-checked with @atproto/repo', () => {
    const sizes = [0, 1, 2, 3, 5, 8, 13, 40, 100, 300]
    const cases = Array.from({ length: 120 }, (_, seed) => [seed, sizes[seed % sizes.length] as number] as const)

    it.each(cases)('seed %i (%i keys)', async (seed, size) => {
      const rand = prng(seed + 1)
      const storage = new MemoryBlockstore()
      let mst = await MST.create(storage)
      const values = new Map<string, string>()
      while (values.size < size) values.set(randomKey(rand), randomCid())
      for (const [key, value] of values) mst = await mst.add(key, CID.parse(value))
      await storage.putMany((await mst.getUnstoredBlocks()).blocks)
      const oldRoot = (await mst.getPointer()).toString()

      const ops: MstOp[] = []
      const opCount = 1 + rand(Math.min(25, 3 + size))
      const existing = [...values.keys()]
      const touched = new Set<string>()
      for (let i = 0; i < opCount; i++) {
        const kind = existing.length === 0 ? 0 : rand(3)
        if (kind === 0) {
          const path = rand(4) === 0 ? randomHighKey(rand) : randomKey(rand)
          if (values.has(path) || touched.has(path)) continue
          const cid = randomCid()
          mst = await mst.add(path, CID.parse(cid))
          ops.push({ action: 'create', path, cid })
          touched.add(path)
          continue
        }
        const path = existing[rand(existing.length)] as string
        if (touched.has(path)) continue
        touched.add(path)
        const prev = values.get(path) as string
        if (kind === 1) {
          const cid = randomCid()
          mst = await mst.update(path, CID.parse(cid))
          ops.push({ action: 'update', path, cid, prev })
        } else {
          mst = await mst.delete(path)
          ops.push({ action: 'delete', path, cid: null, prev })
        }
      }
      const newRoot = (await mst.getPointer()).toString()
      const proof = await coveringProof(
        mst,
        ops.map((op) => op.path),
      )
      expect(invertOps(newRoot, ops, proof)).toEqual({ ok: true, value: oldRoot })
      // the op order does not matter
      expect(invertOps(newRoot, [...ops].reverse(), proof)).toEqual({ ok: true, value: oldRoot })
      // and whole-tree blocks work as well as the proof
      const all = toMap((await mst.getUnstoredBlocks()).blocks)
      for (const [cid, bytes] of toMap(storage.blocks)) all.set(cid, bytes)
      expect(invertOps(newRoot, ops, all)).toEqual({ ok: true, value: oldRoot })
    })
  })

  describe('typed failures', () => {
    const leaf = randomCid()
    const keys = Array.from({ length: 60 }, (_, i) => `app.bsky.feed.post/${String(i).padStart(4, '0')}`)
    const built = buildMst(keys.map((key) => [key, leaf] as const))
    if (!built.ok) throw built.error
    const { root, blocks } = built.value
    const present = keys[7] as string
    const absent = 'app.bsky.feed.post/zzzz'

    const expectCode = (result: ReturnType<typeof invertOps>, code: string, match?: RegExp) => {
      if (result.ok) throw new Error(`expected ${code}, got root ${result.value}`)
      expect(result.error.code).toBe(code)
      expect(result.error.name).toBe('MstError')
      if (match) expect(result.error.message).toMatch(match)
    }

    it('inverts a valid create (control)', () => {
      const result = invertOps(root, [{ action: 'create', path: present, cid: leaf }], blocks)
      const expected = buildMst(keys.filter((k) => k !== present).map((key) => [key, leaf] as const))
      if (!expected.ok) throw expected.error
      expect(result).toEqual({ ok: true, value: expected.value.root })
    })

    it('MissingBlock when a node on the path is absent', () => {
      const without = new Map(blocks)
      without.delete(root)
      expectCode(invertOps(root, [{ action: 'create', path: present, cid: leaf }], without), 'MissingBlock', /cid=/)
    })

    it('MissingBlock when a neighbouring node needed to merge is absent', () => {
      // keep only the root: deleting a key from a multi-layer tree needs the nodes below
      const only = new Map([[root, blocks.get(root) as Uint8Array]])
      expectCode(invertOps(root, [{ action: 'create', path: present, cid: leaf }], only), 'MissingBlock')
    })

    it('OpMismatch when the tree disagrees with the ops', () => {
      const other = randomCid()
      expectCode(
        invertOps(root, [{ action: 'create', path: present, cid: other }], blocks),
        'OpMismatch',
        /value differs/,
      )
      expectCode(invertOps(root, [{ action: 'create', path: absent, cid: leaf }], blocks), 'OpMismatch', /not in mst/)
      expectCode(invertOps(root, [{ action: 'update', path: absent, cid: leaf, prev: other }], blocks), 'OpMismatch')
      expectCode(invertOps(root, [{ action: 'update', path: present, cid: other, prev: leaf }], blocks), 'OpMismatch')
      expectCode(
        invertOps(root, [{ action: 'delete', path: present, cid: null, prev: leaf }], blocks),
        'OpMismatch',
        /already in mst/,
      )
    })

    it('InvalidOp for malformed ops, InvalidKey for bad paths', () => {
      const cases: [MstOp, string][] = [
        [{ action: 'create', path: absent, cid: null }, 'InvalidOp'],
        [{ action: 'create', path: absent, cid: leaf, prev: leaf }, 'InvalidOp'],
        [{ action: 'update', path: present, cid: leaf }, 'InvalidOp'],
        [{ action: 'delete', path: present, cid: leaf, prev: leaf }, 'InvalidOp'],
        [{ action: 'delete', path: present, cid: null }, 'InvalidOp'],
        [{ action: 'move' as 'create', path: present, cid: leaf }, 'InvalidOp'],
        [{ action: 'create', path: absent, cid: 'bafy-not-a-cid' }, 'InvalidOp'],
        [{ action: 'create', path: 'no-slash', cid: leaf }, 'InvalidKey'],
      ]
      for (const [op, code] of cases) expectCode(invertOps(root, [op], blocks), code)
      expectCode(
        invertOps(
          root,
          [
            { action: 'create', path: present, cid: leaf },
            { action: 'delete', path: present, cid: null, prev: leaf },
          ],
          blocks,
        ),
        'InvalidOp',
        /two ops on one path/,
      )
    })

    it('InvalidTree for a root that is not a CID, MalformedNode for a bad node block', () => {
      expectCode(invertOps('not-a-cid', [], blocks), 'InvalidTree')
      const bad = new Map(blocks)
      bad.set(root, Uint8Array.from([0xa0]))
      expectCode(invertOps(root, [{ action: 'create', path: present, cid: leaf }], bad), 'MalformedNode')
    })

    it('InvalidTree for an untrimmed root (no entries, only a subtree)', () => {
      const rootCid = blocks.get(root) as Uint8Array
      const untrimmed = encodeNode({ left: cidForDagCbor(rootCid), entries: [] })
      const wrapped = cidToString(cidForDagCbor(untrimmed))
      const withWrapper = new Map(blocks)
      withWrapper.set(wrapped, untrimmed)
      expectCode(
        invertOps(wrapped, [{ action: 'create', path: present, cid: leaf }], withWrapper),
        'InvalidTree',
        /untrimmed/,
      )
    })

    it('returns the root unchanged for no ops, and the empty tree when the last key is removed', () => {
      expect(invertOps(root, [], blocks)).toEqual({ ok: true, value: root })
      const single = buildMst([[present, leaf]])
      if (!single.ok) throw single.error
      expect(
        invertOps(single.value.root, [{ action: 'create', path: present, cid: leaf }], single.value.blocks),
      ).toEqual({
        ok: true,
        value: 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm',
      })
    })
  })
})
