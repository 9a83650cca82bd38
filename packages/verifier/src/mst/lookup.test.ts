import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { MemoryBlockstore, MST, type BlockMap as RepoBlockMap } from '@atproto/repo'
import { describe, expect, it } from 'vitest'
import { buildMst } from './build.js'
import { cidForDagCbor, cidToString } from './cid.js'
import { keyHeight } from './key.js'
import { lookup, provePath, walkPath } from './lookup.js'
import { encodeNode } from './node-codec.js'
import type { MstNode } from './types.js'

const require = createRequire(import.meta.url)
type RepoCid = Parameters<RepoBlockMap['get']>[0]
const { CID } = require('multiformats/cid') as { CID: { parse(text: string): RepoCid } }

const randomCid = (): string => cidToString(cidForDagCbor(randomBytes(8)))
const randomKey = (): string => `app.bsky.feed.post/${randomBytes(7).toString('hex')}`

async function referenceTree(size: number) {
  const values = new Map<string, string>()
  while (values.size < size) values.set(randomKey(), randomCid())
  let mst = await MST.create(new MemoryBlockstore())
  for (const [key, value] of values) mst = await mst.add(key, CID.parse(value))
  const blocks = new Map<string, Uint8Array>()
  ;(await mst.getUnstoredBlocks()).blocks.forEach((bytes, cid) => {
    blocks.set(cid.toString(), bytes)
  })
  return { mst, root: (await mst.getPointer()).toString(), values, blocks }
}

/** The first `app.bsky.feed.post/<n>` key, from n = start, whose height is height. */
function keyAt(height: number, start = 0): string {
  for (let n = start; ; n++) {
    const key = `app.bsky.feed.post/${String(n).padStart(6, '0')}`
    if (keyHeight(key) === height) return key
  }
}

/** Stores nodes (children first) and returns the block map and the CID of the last one. */
function store(...nodes: ((cids: Uint8Array[]) => MstNode)[]): { root: string; blocks: Map<string, Uint8Array> } {
  const blocks = new Map<string, Uint8Array>()
  const cids: Uint8Array[] = []
  for (const make of nodes) {
    const bytes = encodeNode(make(cids))
    const cid = cidForDagCbor(bytes)
    cids.push(cid)
    blocks.set(cidToString(cid), bytes)
  }
  return { root: cidToString(cids[cids.length - 1] as Uint8Array), blocks }
}

const leaf = cidForDagCbor(Uint8Array.of(1))

describe('lookup', () => {
  it.each([0, 1, 5, 60, 400])('agrees with @atproto/repo on present and absent keys (%i keys)', async (size) => {
    const { mst, root, values, blocks } = await referenceTree(size)
    for (const [key, value] of values) expect(lookup(root, key, blocks)).toEqual({ ok: true, value })
    for (let i = 0; i < 50; i++) {
      const key = randomKey()
      const expected = (await mst.get(key))?.toString() ?? null
      expect(lookup(root, key, blocks)).toEqual({ ok: true, value: expected })
    }
    // below the first key and above the last
    expect(lookup(root, 'a/a', blocks)).toEqual({ ok: true, value: null })
    expect(lookup(root, 'zzz/z', blocks)).toEqual({ ok: true, value: null })
  })

  it('fails with InvalidKey for a key that is not an MST key', () => {
    const built = buildMst([['a/b', cidToString(leaf)]])
    if (!built.ok) throw built.error
    const result = lookup(built.value.root, 'a/b/c', built.value.blocks)
    expect(result.ok ? null : result.error.code).toBe('InvalidKey')
  })
})

describe('provePath', () => {
  it('lists the same CIDs as @atproto/repo cidsForPath', async () => {
    const { mst, root, values, blocks } = await referenceTree(300)
    const keys = [...[...values.keys()].slice(0, 40), ...Array.from({ length: 40 }, randomKey)]
    for (const key of keys) {
      const expected = (await mst.cidsForPath(key)).map((cid) => cid.toString())
      expect(provePath(root, key, blocks)).toEqual({ ok: true, value: expected })
    }
  })

  it('is self-sufficient: its blocks alone prove presence and absence', async () => {
    const { root, values, blocks } = await referenceTree(300)
    const keys = [...[...values.keys()].slice(0, 40), ...Array.from({ length: 40 }, randomKey)]
    for (const key of keys) {
      const path = walkPath(root, key, blocks)
      if (!path.ok) throw path.error
      const slice = new Map(path.value.nodes.map((cid) => [cid, blocks.get(cid) as Uint8Array]))
      expect(lookup(root, key, slice)).toEqual({ ok: true, value: values.get(key) ?? null })
      // and every node on the path is needed
      for (const cid of path.value.nodes) {
        const without = new Map(slice)
        without.delete(cid)
        const result = lookup(root, key, without)
        expect(result.ok ? null : result.error.code).toBe('MissingBlock')
      }
    }
  })
})

describe('walkPath', () => {
  const expectInvalid = (tree: { root: string; blocks: Map<string, Uint8Array> }, key: string, match: RegExp) => {
    const result = walkPath(tree.root, key, tree.blocks)
    if (result.ok) throw new Error('expected an invalid tree')
    expect(result.error.code).toBe('InvalidTree')
    expect(result.error.message).toMatch(match)
  }
  const k1 = keyAt(1)
  const k0 = keyAt(0)

  it('accepts a well-formed hand-built tree (control)', () => {
    expect(k0 < k1).toBe(true)
    const tree = store(
      () => ({ left: null, entries: [{ key: k0, value: leaf, right: null }] }),
      (c) => ({ left: c[0] as Uint8Array, entries: [{ key: k1, value: leaf, right: null }] }),
    )
    expect(walkPath(tree.root, k0, tree.blocks)).toEqual({
      ok: true,
      value: { nodes: [tree.root, expect.any(String)], value: cidToString(leaf) },
    })
  })

  it('rejects a key stored at the wrong layer', () => {
    const keys = [k1, k0].sort()
    const tree = store(() => ({ left: null, entries: keys.map((key) => ({ key, value: leaf, right: null })) }))
    expectInvalid(tree, k1, /wrong layer/)
  })

  it("rejects a subtree whose keys fall outside its parent's range", () => {
    const above = keyAt(0, Number(k1.split('/')[1]) + 1)
    expect(above > k1).toBe(true)
    const tree = store(
      () => ({ left: null, entries: [{ key: above, value: leaf, right: null }] }),
      (c) => ({ left: c[0] as Uint8Array, entries: [{ key: k1, value: leaf, right: null }] }),
    )
    expectInvalid(tree, 'app.bsky.feed.post/0', /outside their parent's range/)
  })

  it('rejects an untrimmed root, an empty inner node and a subtree under layer 0', () => {
    const untrimmed = store(
      () => ({ left: null, entries: [{ key: k0, value: leaf, right: null }] }),
      (c) => ({ left: c[0] as Uint8Array, entries: [] }),
    )
    expectInvalid(untrimmed, k0, /untrimmed/)
    const emptyInner = store(
      () => ({ left: null, entries: [] }),
      (c) => ({ left: c[0] as Uint8Array, entries: [{ key: k1, value: leaf, right: null }] }),
    )
    expectInvalid(emptyInner, 'a/a', /empty mst node below the root/)
    const underZero = store(
      () => ({ left: null, entries: [{ key: 'a/a', value: leaf, right: null }] }),
      (c) => ({ left: c[0] as Uint8Array, entries: [{ key: k0, value: leaf, right: null }] }),
    )
    expectInvalid(underZero, 'a/a', /layer 0 mst node has a subtree/)
  })

  it('reports MissingBlock and MalformedNode with the CID', () => {
    const tree = store(() => ({ left: null, entries: [{ key: k0, value: leaf, right: null }] }))
    const missing = walkPath(tree.root, k0, new Map())
    expect(missing.ok ? null : [missing.error.code, missing.error.message.includes(tree.root)]).toEqual([
      'MissingBlock',
      true,
    ])
    const malformed = walkPath(tree.root, k0, new Map([[tree.root, Uint8Array.of(0xa2)]]))
    expect(malformed.ok ? null : [malformed.error.code, malformed.error.message.includes(tree.root)]).toEqual([
      'MalformedNode',
      true,
    ])
  })
})
