import { ids as atprotoIds } from '@atproto/api'
import { bskyIds } from '@donottrain/lexicon'
import { type LocalNetwork, startLocalNetwork, type TestAccount } from '@donottrain/test'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DonottrainClient } from './client.js'
import { InvalidInputError } from './errors.js'
import { login } from './session.js'
import { rawGetRecord } from './test-util.js'

let net: LocalNetwork
let acc: TestAccount
let client: DonottrainClient

beforeAll(async () => {
  net = await startLocalNetwork()
  acc = await net.createAccount('poster')
  client = await login({ identifier: acc.did, password: acc.password, service: net.pdsUrl })
})
afterAll(async () => {
  await net?.close()
})

interface StoredPost {
  text: string
  facets?: Array<{ index: { byteStart: number; byteEnd: number }; features: Array<Record<string, unknown>> }>
}

async function readPost(uri: string): Promise<StoredPost> {
  const raw = await rawGetRecord(net.pdsUrl, acc.did, bskyIds.post, uri.split('/').pop() as string)
  if (!raw) throw new Error(`post not found uri=${uri}`)
  return raw.value as unknown as StoredPost
}

const bytes = (text: string, start: number, end: number) =>
  Buffer.from(text, 'utf8').subarray(start, end).toString('utf8')

describe('post', () => {
  it('publishes #donottrain as a tag facet with UTF-8 byte offsets, after emoji', async () => {
    const text = 'Painting 🧑‍🎨🎨 all week — #donottrain'
    const res = await client.post(text, { donottrain: true })
    const stored = await readPost(res.uri)
    expect(stored.text).toBe(text)
    expect(stored.facets).toHaveLength(1)
    const [facet] = stored.facets ?? []
    expect(facet?.features).toEqual([{ $type: bskyIds.facetTag, tag: 'donottrain' }])
    const { byteStart, byteEnd } = facet?.index ?? { byteStart: -1, byteEnd: -1 }
    expect(bytes(text, byteStart, byteEnd)).toBe('#donottrain')
    // Offsets in UTF-16 code units would land elsewhere: the emoji take more bytes than units.
    expect(byteStart).toBeGreaterThan(text.indexOf('#'))
  })

  it('appends the tag when asked and the text lacks it', async () => {
    const res = await client.post('my drawings 🖍️', { donottrain: true })
    const stored = await readPost(res.uri)
    expect(stored.text).toBe('my drawings 🖍️ #donottrain')
    const [facet] = stored.facets ?? []
    expect(bytes(stored.text, facet?.index.byteStart ?? 0, facet?.index.byteEnd ?? 0)).toBe('#donottrain')
  })

  it('keeps other facets: links, resolvable mentions; drops mentions that do not resolve', async () => {
    const text = `hi @${acc.handle} and @nobody.invalid see https://example.com #art`
    const res = await client.post(text)
    const stored = await readPost(res.uri)
    const types = (stored.facets ?? []).flatMap((f) => f.features.map((x) => x.$type))
    expect(types.sort()).toEqual(
      [
        `${atprotoIds.AppBskyRichtextFacet}#link`,
        `${atprotoIds.AppBskyRichtextFacet}#mention`,
        bskyIds.facetTag,
      ].sort(),
    )
    const mention = (stored.facets ?? []).flatMap((f) => f.features).find((x) => 'did' in x)
    expect(mention?.did).toBe(acc.did)
  })

  it('refuses text over 300 graphemes or empty, before writing', async () => {
    await expect(client.post('🎨'.repeat(301))).rejects.toBeInstanceOf(InvalidInputError)
    await expect(client.post('   ')).rejects.toBeInstanceOf(InvalidInputError)
  })
})
