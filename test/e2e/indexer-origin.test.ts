import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ids, scopes } from '@donottrain/lexicon'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LocalNetwork, startLocalNetwork, type TestAccount, waitFor } from '../src/index.js'
import { startTestIndexer, type TestIndexer } from './support/indexer.js'

const now = () => new Date().toISOString()
const DECL = ids.AiDonottrainDeclaration

/**
 * Origin bindings (#originScope): verified when the origin's host is the account's verified
 * handle, or when the origin serves the account's DID at /.well-known/atproto-did. Origins are
 * https-only, so the test maps each origin's well-known to a loopback server (allowLoopback);
 * `.test` handles resolve through the PDS, as DNS would resolve a real one.
 */
describe('indexer origin bindings', () => {
  let net: LocalNetwork
  let indexer: TestIndexer
  let site: Server
  let siteUrl: string
  /** host → body of its /.well-known/atproto-did (absent: 404). */
  const wellKnown = new Map<string, string>()
  let alice: TestAccount

  beforeAll(async () => {
    net = await startLocalNetwork()
    site = createServer((req, res) => {
      const [, host, ...rest] = (req.url ?? '/').split('/')
      const body = rest.join('/') === '.well-known/atproto-did' ? wellKnown.get(host ?? '') : undefined
      res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'text/plain' })
      res.end(body ?? 'not found')
    })
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve))
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`
    alice = await net.createAccount('alice')
    indexer = await startTestIndexer(net, {
      overrides: {
        originWellKnownUrl: (origin) => `${siteUrl}/${new URL(origin).host}/.well-known/atproto-did`,
        resolveHandle: async (handle) => {
          const res = await alice.agent.com.atproto.identity.resolveHandle({ handle }).catch(() => null)
          return res?.data.did ?? null
        },
      },
    })
  })
  afterAll(async () => {
    await indexer?.close()
    await new Promise((resolve) => site?.close(resolve))
    await net?.close()
  })

  const declareOrigin = async (account: TestAccount, origin: string) => {
    const res = await account.agent.com.atproto.repo.createRecord({
      repo: account.did,
      collection: DECL,
      record: { $type: DECL, scope: scopes.origin(origin), preferences: { trainAi: 'deny' }, createdAt: now() },
    })
    return res.data
  }
  const row = (uri: string) =>
    indexer.store.kysely
      .selectFrom('declaration')
      .select(['origin_verified', 'cid'])
      .where('uri', '=', uri)
      .executeTakeFirst()
  const checked = (uri: string, cid: string) =>
    indexer.store.kysely
      .selectFrom('origin_check')
      .selectAll()
      .where('uri', '=', uri)
      .where('cid', '=', cid)
      .executeTakeFirst()
  const changes = async (uri: string) =>
    indexer.store.kysely.selectFrom('change').select(['kind', 'view']).where('uri', '=', uri).orderBy('seq').execute()
  const waitChecked = (uri: string, cid: string, what: string) =>
    waitFor(() => checked(uri, cid), { what, timeoutMs: 15_000 })

  it('verifies an origin that serves the DID at /.well-known/atproto-did, and shows the change', async () => {
    wellKnown.set('alice-art.example', `${alice.did}\n`)
    const decl = await declareOrigin(alice, 'https://alice-art.example')
    await waitFor(async () => (await row(decl.uri))?.origin_verified === 1, { what: 'origin verified' })
    expect((await checked(decl.uri, decl.cid))?.via).toBe('well-known')
    const feed = await changes(decl.uri)
    expect(feed.map((c) => c.kind)).toEqual(['create', 'update'])
    expect(JSON.parse(feed[0]?.view ?? '')).toMatchObject({ originVerified: false })
    expect(JSON.parse(feed[1]?.view ?? '')).toMatchObject({ originVerified: true, cid: decl.cid })
    expect(indexer.metrics.get('donottrain_origin_checks_total', { outcome: 'verified' })).toBeGreaterThanOrEqual(1)
  })

  it('leaves unverified an origin serving another DID, or nothing', async () => {
    wellKnown.set('someone-else.example', 'did:plc:ewvi7nxzyoun6zhxrhs64oiz')
    const other = await declareOrigin(alice, 'https://someone-else.example')
    const missing = await declareOrigin(alice, 'https://no-such-site.example')
    await waitChecked(other.uri, other.cid, 'the mismatching origin checked')
    await waitChecked(missing.uri, missing.cid, 'the missing origin checked')
    expect((await row(other.uri))?.origin_verified).toBe(0)
    expect((await row(missing.uri))?.origin_verified).toBe(0)
    expect((await changes(other.uri)).map((c) => c.kind)).toEqual(['create'])
    expect((await changes(missing.uri)).map((c) => c.kind)).toEqual(['create'])
  })

  it('re-checks the bindings when the handle changes', async () => {
    const carol = await net.createAccount('carol')
    const decl = await declareOrigin(carol, 'https://carol-studio.test')
    await waitChecked(decl.uri, decl.cid, 'the origin checked before the handle change')
    expect((await row(decl.uri))?.origin_verified).toBe(0)

    // Her handle becomes the origin's host: bound through the handle.
    await carol.agent.com.atproto.identity.updateHandle({ handle: 'carol-studio.test' })
    await waitFor(async () => (await row(decl.uri))?.origin_verified === 1, {
      what: 'origin verified through the new handle',
      timeoutMs: 15_000,
    })
    expect((await checked(decl.uri, decl.cid))?.via).toBe('handle')

    // And back: the host is no longer her handle and serves nothing.
    await carol.agent.com.atproto.identity.updateHandle({ handle: 'carol.test' })
    await waitFor(async () => (await row(decl.uri))?.origin_verified === 0, {
      what: 'origin unverified after the handle moved away',
      timeoutMs: 15_000,
    })
    expect((await changes(decl.uri)).map((c) => c.kind)).toEqual(['create', 'update', 'update'])
  })
})
