import { encode } from '@atcute/cbor'
import { buildMst, cidForDagCbor, cidToString } from '@donottrain/verifier'
import { describe, expect, it } from 'vitest'
import { listLeaves } from './mst-walk.js'

const valueCid = (n: number) => cidToString(cidForDagCbor(encode({ n })))
const rkey = (n: number) => `k${String(n).padStart(8, '0')}`

/** Counts block reads, to see which subtrees a walk visits. */
class CountingMap extends Map<string, Uint8Array> {
  reads = 0
  override get(key: string) {
    this.reads++
    return super.get(key)
  }
}

function repo(counts: Record<string, number>) {
  const entries: [string, string][] = []
  let n = 0
  for (const [collection, count] of Object.entries(counts)) {
    for (let i = 0; i < count; i++) entries.push([`${collection}/${rkey(n)}`, valueCid(n++)])
  }
  const built = buildMst(entries)
  if (!built.ok) throw built.error
  return { entries, root: built.value.root, blocks: new CountingMap(built.value.blocks) }
}

describe('listLeaves', () => {
  it('finds exactly the keys under the prefixes', () => {
    const { entries, root, blocks } = repo({
      'ai.donottrain.declaration': 7,
      'app.bsky.actor.profile': 1,
      'app.bsky.feed.like': 300,
      'app.bsky.feed.post': 40,
      'app.bsky.feed.postgate': 5,
      'community.lexicon.preference.ai': 3,
    })
    const prefixes = ['ai.donottrain.declaration/', 'app.bsky.feed.post/', 'community.lexicon.preference.ai/']
    const res = listLeaves(root, blocks, prefixes)
    if (!res.ok) throw res.error
    const want = entries.filter(([k]) => prefixes.some((p) => k.startsWith(p)))
    expect(new Map(res.value.map((l) => [l.key, l.cid]))).toEqual(new Map(want))
    // app.bsky.feed.postgate/ shares the post prefix's first characters but not the slash
    expect(res.value.some((l) => l.key.startsWith('app.bsky.feed.postgate/'))).toBe(false)
  })

  it('skips the subtrees that cannot hold a wanted key', () => {
    const { root, blocks } = repo({ 'ai.donottrain.declaration': 2, 'app.bsky.feed.like': 3000 })
    const all = blocks.size
    const res = listLeaves(root, blocks, ['ai.donottrain.declaration/'])
    expect(res.ok && res.value.length).toBe(2)
    expect(blocks.reads).toBeLessThan(all / 4)
  })

  it('lists an empty tree as empty, and fails on a missing node', () => {
    const empty = buildMst([])
    if (!empty.ok) throw empty.error
    expect(listLeaves(empty.value.root, empty.value.blocks, ['a.b.c/'])).toEqual({ ok: true, value: [] })
    const { root, blocks } = repo({ 'app.bsky.feed.post': 500 })
    const node = [...blocks.keys()].find((k) => k !== root) as string
    blocks.delete(node)
    const res = listLeaves(root, blocks, ['app.bsky.feed.post/'])
    expect(res.ok).toBe(false)
    if (!res.ok) expect(res.error.code).toBe('MissingBlock')
  })
})
