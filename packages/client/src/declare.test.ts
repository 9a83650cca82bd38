import { ids as atprotoIds } from '@atproto/api'
import { bskyIds, ids, SCOPE_TYPES, validateDeclaration } from '@donottrain/lexicon'
import { type LocalNetwork, startLocalNetwork, type TestAccount } from '@donottrain/test'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DonottrainClient } from './client.js'
import {
  ForeignRecordError,
  InvalidInputError,
  InvalidOriginError,
  InvalidPurposeError,
  OriginNotBoundError,
  RecordNotFoundError,
  SwapConflictError,
} from './errors.js'
import type { ScopeInput } from './scope-input.js'
import { type ClientOptions, login } from './session.js'
import {
  headCommit,
  rawGetRecord,
  rawListRecords,
  routeHostTo,
  startHttpServer,
  type TestHttpServer,
} from './test-util.js'

let net: LocalNetwork
let site: TestHttpServer
// The DID the local "https://site.example" serves at /.well-known/atproto-did.
let siteDid = ''

beforeAll(async () => {
  net = await startLocalNetwork()
  site = await startHttpServer((req, res) => {
    if (req.url === '/.well-known/atproto-did') res.writeHead(200, { 'content-type': 'text/plain' }).end(siteDid)
    else res.writeHead(404).end()
  })
})
afterAll(async () => {
  await site?.close()
  await net?.close()
})

let counter = 0
async function account(opts: ClientOptions = {}): Promise<{ acc: TestAccount; client: DonottrainClient }> {
  const acc = await net.createAccount(`user${++counter}`)
  const client = await login({
    identifier: acc.did,
    password: acc.password,
    plcUrl: net.plcUrl,
    fetch: routeHostTo('site.example', site.url),
    ...opts,
  })
  return { acc, client }
}

async function createPost(acc: TestAccount, text = 'a post'): Promise<{ uri: string; cid: string }> {
  const res = await acc.agent.com.atproto.repo.createRecord({
    repo: acc.did,
    collection: bskyIds.post,
    record: { $type: bskyIds.post, text, createdAt: new Date().toISOString() },
  })
  return res.data
}

/** Reads a declaration back raw and checks it against the lexicon and the protocol rules. */
async function readBack(did: string, rkey: string) {
  const raw = await rawGetRecord(net.pdsUrl, did, ids.AiDonottrainDeclaration, rkey)
  if (!raw) throw new Error(`no declaration at rkey=${rkey}`)
  const checked = validateDeclaration(raw.value, { did, rkey })
  if (!checked.ok) throw checked.error
  return { raw, ...checked.value }
}

/** Runs `fn`, expects it to throw `Expected`, and checks the repository did not change. */
async function refusedWithoutWrite<E extends Error>(
  did: string,
  Expected: new (...args: never[]) => E,
  fn: () => Promise<unknown>,
): Promise<E> {
  const head = await headCommit(net.pdsUrl, did)
  const before = await rawListRecords(net.pdsUrl, did)
  const err = await fn().then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(Expected)
  expect(await headCommit(net.pdsUrl, did)).toBe(head)
  expect(await rawListRecords(net.pdsUrl, did)).toEqual(before)
  return err as E
}

describe('declare', () => {
  it('account scope: a plain #donottrain at rkey self', async () => {
    const { acc, client } = await account()
    const res = await client.declare()
    expect(res).toMatchObject({
      action: 'created',
      rkey: 'self',
      uri: `at://${acc.did}/${ids.AiDonottrainDeclaration}/self`,
    })
    const back = await readBack(acc.did, 'self')
    expect(back.raw.cid).toBe(res.cid)
    expect(back.raw.value).toEqual({
      $type: ids.AiDonottrainDeclaration,
      scope: { $type: SCOPE_TYPES.account },
      preferences: { trainAi: 'deny' },
      createdAt: res.record.createdAt,
    })
  })

  it('account scope: updates in place with the new preferences, statement and licence', async () => {
    const { acc, client } = await account()
    const first = await client.declare()
    const second = await client.declare({
      preferences: { trainAi: 'deny', aiInput: 'deny', search: 'allow' },
      statement: 'Ask me first.',
      licenseUri: 'https://example.com/licence',
    })
    expect(second.action).toBe('updated')
    expect(second.uri).toBe(first.uri)
    expect(second.cid).not.toBe(first.cid)
    const back = await readBack(acc.did, 'self')
    expect(back.raw.cid).toBe(second.cid)
    expect(back.raw.value).toMatchObject({
      preferences: { trainAi: 'deny', aiInput: 'deny', search: 'allow' },
      statement: 'Ask me first.',
      licenseUri: 'https://example.com/licence',
    })
    expect(await rawListRecords(net.pdsUrl, acc.did)).toHaveLength(1)
  })

  it('record scope: stores a strongRef to the own post, from an at-uri or a bsky.app url', async () => {
    const { acc, client } = await account()
    const p = await createPost(acc)
    const res = await client.declare({ scope: { type: 'record', uri: p.uri }, preferences: { aiInput: 'deny' } })
    expect(res.action).toBe('created')
    expect(res.rkey).not.toBe('self')
    const back = await readBack(acc.did, res.rkey)
    expect(back.raw.value.scope).toEqual({ $type: SCOPE_TYPES.record, subject: { uri: p.uri, cid: p.cid } })
    expect(back.scope).toEqual({ type: 'record', uri: p.uri, cid: p.cid })

    // The same post named by its bsky.app URL (handle authority) is the same declaration.
    const rkey = p.uri.split('/').pop()
    const again = await client.declare({
      scope: { type: 'record', uri: `https://bsky.app/profile/${acc.handle}/post/${rkey}` },
      preferences: { aiInput: 'deny' },
    })
    expect(again).toMatchObject({ action: 'unchanged', uri: res.uri, cid: res.cid })

    const updated = await client.declare({ scope: { type: 'record', uri: p.uri }, preferences: { trainAi: 'deny' } })
    expect(updated).toMatchObject({ action: 'updated', uri: res.uri })
    expect((await readBack(acc.did, res.rkey)).preferences).toEqual({ trainAi: 'deny' })
    expect(await rawListRecords(net.pdsUrl, acc.did)).toHaveLength(1)
  })

  it('collection scope: one declaration per collection', async () => {
    const { acc, client } = await account()
    const res = await client.declare({
      scope: { type: 'collection', collection: bskyIds.post },
      preferences: { trainAi: 'deny', search: 'allow' },
    })
    const back = await readBack(acc.did, res.rkey)
    expect(back.raw.value.scope).toEqual({ $type: SCOPE_TYPES.collection, collection: bskyIds.post })
    expect(back.preferences).toEqual({ trainAi: 'deny', search: 'allow' })
  })

  it('origin scope: the handle as host is verified without a request', async () => {
    const { acc, client } = await account()
    const before = site.requests.length
    const res = await client.declare({ scope: { type: 'origin', origin: `https://${acc.handle}` } })
    expect(res.origin).toEqual({ origin: `https://${acc.handle}`, via: 'handle' })
    expect(site.requests.length).toBe(before)
    const back = await readBack(acc.did, res.rkey)
    expect(back.raw.value.scope).toEqual({ $type: SCOPE_TYPES.origin, origin: `https://${acc.handle}` })
  })

  it('origin scope: an origin serving the DID at /.well-known/atproto-did is verified', async () => {
    const { acc, client } = await account()
    siteDid = acc.did
    const res = await client.declare({ scope: { type: 'origin', origin: 'https://site.example' } })
    expect(res.origin).toEqual({ origin: 'https://site.example', via: 'well-known' })
    expect(site.requests.at(-1)).toBe('GET /.well-known/atproto-did')
    expect((await readBack(acc.did, res.rkey)).scope).toMatchObject({ type: 'origin', origin: 'https://site.example' })
  })

  it('is idempotent for every scope: declaring the same thing again writes nothing', async () => {
    const { acc, client } = await account()
    siteDid = acc.did
    const p = await createPost(acc)
    const scopes: ScopeInput[] = [
      { type: 'account' },
      { type: 'record', uri: p.uri },
      { type: 'collection', collection: bskyIds.post },
      { type: 'origin', origin: 'https://site.example' },
    ]
    const first = []
    for (const scope of scopes) first.push(await client.declare({ scope, statement: 'no' }))
    expect(first.map((r) => r.action)).toEqual(['created', 'created', 'created', 'created'])
    const head = await headCommit(net.pdsUrl, acc.did)
    for (const [i, scope] of scopes.entries()) {
      const again = await client.declare({ scope, statement: 'no' })
      expect(again).toMatchObject({ action: 'unchanged', uri: first[i]?.uri, cid: first[i]?.cid })
    }
    expect(await headCommit(net.pdsUrl, acc.did)).toBe(head)
    expect(await rawListRecords(net.pdsUrl, acc.did)).toHaveLength(4)
  })

  it('force publishes an origin that is not verified', async () => {
    const { acc, client } = await account()
    siteDid = 'did:plc:44ybard66vv44zksje25o7dz'
    const res = await client.declare({ scope: { type: 'origin', origin: 'https://site.example' }, force: true })
    expect(res.action).toBe('created')
    expect(res.origin).toBeUndefined()
    expect(res.scope).toEqual({ type: 'origin', origin: 'https://site.example', verified: false })
    expect((await readBack(acc.did, res.rkey)).raw.cid).toBe(res.cid)
  })
})

describe('declare refuses, writing nothing', () => {
  let alice: { acc: TestAccount; client: DonottrainClient }

  beforeAll(async () => {
    alice = await account()
    await alice.client.declare() // something to not clobber
  })

  it('an invalid purpose', async () => {
    const err = await refusedWithoutWrite(alice.acc.did, InvalidPurposeError, () =>
      alice.client.declare({ preferences: { trainLLM: 'deny' } as never }),
    )
    expect(err.message).toMatch(/unknown purpose purpose="trainLLM"/)
  })

  it('a post that does not exist', async () => {
    const uri = `at://${alice.acc.did}/${bskyIds.post}/3jzfcijpj2z2a`
    const err = await refusedWithoutWrite(alice.acc.did, RecordNotFoundError, () =>
      alice.client.declare({ scope: { type: 'record', uri } }),
    )
    expect(err.message).toBe(`record not found uri=${uri}`)
  })

  it("another account's post, by at-uri or bsky.app url", async () => {
    const bob = await net.createAccount(`other${++counter}`)
    const p = await createPost(bob)
    await refusedWithoutWrite(alice.acc.did, ForeignRecordError, () =>
      alice.client.declare({ scope: { type: 'record', uri: p.uri } }),
    )
    const url = `https://bsky.app/profile/${bob.handle}/post/${p.uri.split('/').pop()}`
    const client = await login({ identifier: alice.acc.did, password: alice.acc.password, service: net.pdsUrl })
    const err = await refusedWithoutWrite(alice.acc.did, ForeignRecordError, () =>
      client.declare({ scope: { type: 'record', uri: url } }),
    )
    expect(err.message).toContain(bob.did)
  })

  it('an http (not https) origin', async () => {
    const err = await refusedWithoutWrite(alice.acc.did, InvalidOriginError, () =>
      alice.client.declare({ scope: { type: 'origin', origin: `http://${alice.acc.handle}` } }),
    )
    expect(err.code).toBe('InvalidOrigin')
    expect(err.message).toMatch(/origin must use https/)
  })

  it('an origin not bound to the account', async () => {
    siteDid = 'did:plc:44ybard66vv44zksje25o7dz'
    const err = await refusedWithoutWrite(alice.acc.did, OriginNotBoundError, () =>
      alice.client.declare({ scope: { type: 'origin', origin: 'https://site.example' } }),
    )
    expect(err.reason).toBe('mismatch')
    expect(err.message).toMatch(/origin is not bound to the account origin=https:\/\/site.example/)
  })

  it('an invalid collection, a too-long statement, a non-https licence', async () => {
    await refusedWithoutWrite(alice.acc.did, InvalidInputError, () =>
      alice.client.declare({ scope: { type: 'collection', collection: 'not an nsid' } }),
    )
    await refusedWithoutWrite(alice.acc.did, InvalidInputError, () =>
      alice.client.declare({ statement: 'x'.repeat(301) }),
    )
    await refusedWithoutWrite(alice.acc.did, InvalidInputError, () =>
      alice.client.declare({ licenseUri: 'http://example.com/licence' }),
    )
  })

  it('a stale swapRecord', async () => {
    const current = await readBack(alice.acc.did, 'self')
    const err = await refusedWithoutWrite(alice.acc.did, SwapConflictError, () =>
      alice.client.declare({
        preferences: { search: 'deny' },
        swapRecord: 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm',
      }),
    )
    expect(err.code).toBe('SwapConflict')
    expect(err.message).toContain(`current=${current.raw.cid}`)
  })
})

describe('declare under a concurrent writer', () => {
  it('surfaces the PDS InvalidSwap as SwapConflictError and does not clobber the other write', async () => {
    let other: TestAccount | undefined
    let raced = false
    const { acc, client } = await account({
      // Right before our putRecord reaches the PDS, another writer changes the declaration.
      fetch: async (input, init) => {
        const url = input instanceof Request ? input.url : String(input)
        if (!raced && other && url.includes(atprotoIds.ComAtprotoRepoPutRecord)) {
          raced = true
          await other.agent.com.atproto.repo.putRecord({
            repo: other.did,
            collection: ids.AiDonottrainDeclaration,
            rkey: 'self',
            record: {
              $type: ids.AiDonottrainDeclaration,
              scope: { $type: SCOPE_TYPES.account },
              preferences: { trainAi: 'allow' },
              createdAt: new Date().toISOString(),
            },
          })
        }
        return fetch(input, init)
      },
    })
    await client.declare()
    other = acc
    const err = await client.declare({ preferences: { trainAi: 'deny', search: 'deny' } }).catch((e) => e)
    expect(raced).toBe(true)
    expect(err).toBeInstanceOf(SwapConflictError)
    expect(err.message).toMatch(/error=InvalidSwap/)
    expect((await readBack(acc.did, 'self')).preferences).toEqual({ trainAi: 'allow' })
  })

  it('refuses to create a scoped declaration when the repository changed since it was read', async () => {
    let other: TestAccount | undefined
    const { acc, client } = await account({
      fetch: async (input, init) => {
        const url = input instanceof Request ? input.url : String(input)
        if (other && url.includes(atprotoIds.ComAtprotoRepoCreateRecord)) {
          const o = other
          other = undefined
          await createPost(o, 'meanwhile')
        }
        return fetch(input, init)
      },
    })
    other = acc
    const err = await client.declare({ scope: { type: 'collection', collection: bskyIds.post } }).catch((e) => e)
    expect(err).toBeInstanceOf(SwapConflictError)
    expect(await rawListRecords(net.pdsUrl, acc.did)).toEqual([])
  })
})

describe('revoke', () => {
  it('deletes the declaration of each scope, and only that one', async () => {
    const { acc, client } = await account()
    siteDid = acc.did
    const p = await createPost(acc)
    const scopes: ScopeInput[] = [
      { type: 'account' },
      { type: 'record', uri: p.uri },
      { type: 'collection', collection: bskyIds.post },
      { type: 'origin', origin: 'https://site.example' },
    ]
    const declared = []
    for (const scope of scopes) declared.push(await client.declare({ scope }))
    for (const [i, scope] of scopes.entries()) {
      const d = declared[i]
      if (!d) throw new Error('missing declaration')
      const res = await client.revoke(scope)
      expect(res.revoked).toEqual([{ uri: d.uri, cid: d.cid, rkey: d.rkey }])
      expect(await rawGetRecord(net.pdsUrl, acc.did, ids.AiDonottrainDeclaration, d.rkey)).toBeUndefined()
      expect(await rawListRecords(net.pdsUrl, acc.did)).toHaveLength(scopes.length - i - 1)
    }
  })

  it('revoking what is not there deletes nothing', async () => {
    const { acc, client } = await account()
    await client.declare({ scope: { type: 'collection', collection: bskyIds.post } })
    const head = await headCommit(net.pdsUrl, acc.did)
    expect(await client.revoke()).toEqual({ revoked: [] })
    expect(await client.revoke({ type: 'collection', collection: atprotoIds.AppBskyFeedLike })).toEqual({ revoked: [] })
    expect(await headCommit(net.pdsUrl, acc.did)).toBe(head)
  })

  it('revokes a declaration about a post that was deleted since', async () => {
    const { acc, client } = await account()
    const p = await createPost(acc)
    const d = await client.declare({ scope: { type: 'record', uri: p.uri } })
    await acc.agent.com.atproto.repo.deleteRecord({
      repo: acc.did,
      collection: bskyIds.post,
      rkey: p.uri.split('/').pop() as string,
    })
    expect((await client.revoke({ type: 'record', uri: p.uri })).revoked.map((r) => r.uri)).toEqual([d.uri])
  })

  it('by rkey, and all at once (invalid records too)', async () => {
    const { acc, client } = await account()
    const a = await client.declare()
    const b = await client.declare({ scope: { type: 'collection', collection: bskyIds.post } })
    // A record no reader accepts (account scope away from rkey self) still shows up and can go.
    await acc.agent.com.atproto.repo.putRecord({
      repo: acc.did,
      collection: ids.AiDonottrainDeclaration,
      rkey: 'junk',
      record: {
        $type: ids.AiDonottrainDeclaration,
        scope: { $type: SCOPE_TYPES.account },
        preferences: {},
        createdAt: new Date().toISOString(),
      },
    })
    const listed = await client.list()
    expect(listed.entries.map((e) => [e.rkey, e.valid])).toEqual(
      expect.arrayContaining([
        ['self', true],
        [b.rkey, true],
        ['junk', false],
      ]),
    )
    const junk = listed.entries.find((e) => e.rkey === 'junk')
    expect(junk?.valid === false && junk.error.code).toBe('ScopeKeyMismatch')
    expect((await client.revoke({ rkey: b.rkey })).revoked.map((r) => r.rkey)).toEqual([b.rkey])
    const all = await client.revoke({ all: true })
    expect(all.revoked.map((r) => r.rkey).sort()).toEqual(['junk', 'self'])
    expect(a.rkey).toBe('self')
    expect(await rawListRecords(net.pdsUrl, acc.did)).toEqual([])
  })
})

describe('list', () => {
  it("lists the account's declarations with URIs and CIDs", async () => {
    const { acc, client } = await account()
    const a = await client.declare({ preferences: { trainAi: 'deny', search: 'allow' } })
    const b = await client.declare({ scope: { type: 'collection', collection: bskyIds.post } })
    const { entries, truncated } = await client.list()
    expect(truncated).toBe(false)
    const raw = await rawListRecords(net.pdsUrl, acc.did)
    expect(entries.map((e) => ({ uri: e.uri, cid: e.cid })).sort((x, y) => x.uri.localeCompare(y.uri))).toEqual(
      raw.map((r) => ({ uri: r.uri, cid: r.cid })).sort((x, y) => x.uri.localeCompare(y.uri)),
    )
    expect(entries.map((e) => e.uri).sort()).toEqual([a.uri, b.uri].sort())
  })
})
