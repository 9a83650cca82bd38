import { ids as atprotoIds } from '@atproto/api'
import { bskyIds } from '@donottrain/lexicon'
import { type LocalNetwork, startLocalNetwork, type TestAccount } from '@donottrain/test'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DonottrainClient } from './client.js'
import { SwapConflictError } from './errors.js'
import { type ClientOptions, login } from './session.js'
import { headCommit, rawGetRecord } from './test-util.js'

// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
)

let net: LocalNetwork
beforeAll(async () => {
  net = await startLocalNetwork()
})
afterAll(async () => {
  await net?.close()
})

let n = 0
async function account(opts: ClientOptions = {}): Promise<{ acc: TestAccount; client: DonottrainClient }> {
  const acc = await net.createAccount(`profile${++n}`)
  const client = await login({ identifier: acc.did, password: acc.password, service: net.pdsUrl, ...opts })
  return { acc, client }
}

async function rawProfile(did: string): Promise<Record<string, unknown> | undefined> {
  return (await rawGetRecord(net.pdsUrl, did, bskyIds.profile, 'self'))?.value
}

/** A profile with several fields, including blobs and a strong ref, written with the reference API. */
async function fullProfile(acc: TestAccount, description: string): Promise<Record<string, unknown>> {
  const avatar = await acc.agent.uploadBlob(PNG, { encoding: 'image/png' })
  const banner = await acc.agent.uploadBlob(PNG, { encoding: 'image/png' })
  const post = await acc.agent.com.atproto.repo.createRecord({
    repo: acc.did,
    collection: bskyIds.post,
    record: { $type: bskyIds.post, text: 'pinned', createdAt: new Date().toISOString() },
  })
  await acc.agent.com.atproto.repo.putRecord({
    repo: acc.did,
    collection: bskyIds.profile,
    rkey: 'self',
    record: {
      $type: bskyIds.profile,
      displayName: 'Zoë the Painter 🎨',
      description,
      avatar: avatar.data.blob,
      banner: banner.data.blob,
      pinnedPost: { uri: post.data.uri, cid: post.data.cid },
      createdAt: '2026-01-01T00:00:00.000Z',
    },
  })
  const value = await rawProfile(acc.did)
  if (!value) throw new Error('profile not written')
  expect(value.avatar).toMatchObject({ $type: 'blob', mimeType: 'image/png', size: PNG.length })
  return value
}

describe('tagProfile / untagProfile', () => {
  it('tags the description and keeps every other field byte for byte', async () => {
    const { acc, client } = await account()
    const before = await fullProfile(acc, 'Painter. 🎨')
    const res = await client.tagProfile()
    expect(res).toMatchObject({ action: 'updated', description: 'Painter. 🎨 #donottrain' })
    const after = await rawProfile(acc.did)
    expect(after).toEqual({ ...before, description: 'Painter. 🎨 #donottrain' })

    const head = await headCommit(net.pdsUrl, acc.did)
    expect((await client.tagProfile()).action).toBe('unchanged')
    expect(await headCommit(net.pdsUrl, acc.did)).toBe(head)

    const untagged = await client.untagProfile()
    expect(untagged).toMatchObject({ action: 'updated', description: 'Painter. 🎨' })
    expect(await rawProfile(acc.did)).toEqual(before)
  })

  it('untag removes only the tag, wherever it is', async () => {
    const { acc, client } = await account()
    const before = await fullProfile(acc, 'I say #DoNotTrain to AI, #art stays')
    await client.untagProfile()
    expect(await rawProfile(acc.did)).toEqual({ ...before, description: 'I say to AI, #art stays' })
    const head = await headCommit(net.pdsUrl, acc.did)
    expect((await client.untagProfile()).action).toBe('unchanged')
    expect(await headCommit(net.pdsUrl, acc.did)).toBe(head)
  })

  it('creates the profile when there is none', async () => {
    const { acc, client } = await account()
    expect(await rawProfile(acc.did)).toBeUndefined()
    expect((await client.tagProfile()).action).toBe('created')
    expect(await rawProfile(acc.did)).toEqual({ $type: bskyIds.profile, description: '#donottrain' })
  })

  it('never overwrites a concurrent profile edit (swapRecord)', async () => {
    let other: TestAccount | undefined
    const { acc, client } = await account({
      fetch: async (input, init) => {
        const url = input instanceof Request ? input.url : String(input)
        if (other && url.includes(atprotoIds.ComAtprotoRepoPutRecord)) {
          const o = other
          other = undefined
          const current = await rawProfile(o.did)
          await o.agent.com.atproto.repo.putRecord({
            repo: o.did,
            collection: bskyIds.profile,
            rkey: 'self',
            record: { ...current, displayName: 'Changed elsewhere' },
          })
        }
        return fetch(input, init)
      },
    })
    await fullProfile(acc, 'Painter.')
    other = acc
    await expect(client.tagProfile()).rejects.toBeInstanceOf(SwapConflictError)
    const after = await rawProfile(acc.did)
    expect(after).toMatchObject({ displayName: 'Changed elsewhere', description: 'Painter.' })
  })
})
