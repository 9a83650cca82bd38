import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { err, ok } from '@donottrain/lexicon'
import { type DidDocument, FetchFailedError, ResolveError, SafeFetcher } from '@donottrain/verifier'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkOrigin, type OriginCheckDeps } from './check-origin.js'

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'
const doc = (handle: string): DidDocument => ({
  id: DID,
  alsoKnownAs: [`at://${handle}`],
  verificationMethod: [],
  service: [],
})

describe('checkOrigin', () => {
  let server: Server
  let base: string
  let fetcher: SafeFetcher
  /** host → [status, body] of its /.well-known/atproto-did; 'slow' never answers. */
  const answers = new Map<string, [number, string] | 'slow'>()

  beforeAll(async () => {
    server = createServer((req, res) => {
      const host = (req.url ?? '/').split('/')[1] ?? ''
      const answer = answers.get(host) ?? [404, 'no']
      if (answer === 'slow') return
      res.writeHead(answer[0], { 'content-type': 'text/plain' })
      res.end(answer[1])
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    fetcher = new SafeFetcher({ allowLoopback: true, timeoutMs: 300 })
  })
  afterAll(async () => {
    await fetcher.close()
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  const deps = (over: Partial<OriginCheckDeps> = {}): OriginCheckDeps => ({
    resolveDid: async () => ok(doc('alice.example.com')),
    resolveHandle: async () => ok(DID),
    fetch: fetcher.fetch,
    timeoutMs: 300,
    wellKnownUrl: (origin) => `${base}/${new URL(origin).host}/.well-known/atproto-did`,
    ...over,
  })

  it('binds through the verified handle', async () => {
    expect(await checkOrigin(DID, 'https://alice.example.com', deps())).toEqual({ verified: true, via: 'handle' })
  })

  it('does not take a handle the DID document claims but that resolves elsewhere', async () => {
    const res = await checkOrigin(
      DID,
      'https://alice.example.com',
      deps({ resolveHandle: async () => ok('did:plc:other') }),
    )
    expect(res).toMatchObject({ verified: false, conclusive: true })
  })

  it('binds through /.well-known/atproto-did (first line, trimmed)', async () => {
    answers.set('site.example', [200, `${DID}\nanything`])
    expect(await checkOrigin(DID, 'https://site.example', deps())).toEqual({ verified: true, via: 'well-known' })
  })

  it.each([
    ['another DID', 'other.example', [200, 'did:plc:44ybard66vv44zksje25o7dz'] as [number, string]],
    ['a 404', 'missing.example', [404, 'no'] as [number, string]],
    ['a body too large', 'big.example', [200, `${DID}${' '.repeat(2000)}`] as [number, string]],
  ])('is a conclusive no for %s', async (_, host, answer) => {
    answers.set(host, answer)
    expect(await checkOrigin(DID, `https://${host}`, deps())).toMatchObject({ verified: false, conclusive: true })
  })

  it.each([
    ['a 503', 'down.example', [503, 'later'] as [number, string] | 'slow'],
    ['a timeout', 'slow.example', 'slow' as const],
  ])('is inconclusive (keep the flag) for %s', async (_, host, answer) => {
    answers.set(host, answer)
    expect(await checkOrigin(DID, `https://${host}`, deps())).toMatchObject({ verified: false, conclusive: false })
  })

  it('is inconclusive when the DID document cannot be fetched now, and the site does not answer yes', async () => {
    const outage = new ResolveError('FetchFailed', 'plc down', { cause: new FetchFailedError('Network', 'refused') })
    const res = await checkOrigin(DID, 'https://nothing.example', deps({ resolveDid: async () => err(outage) }))
    expect(res).toMatchObject({ verified: false, conclusive: false })
  })

  it('refuses an origin that is not a canonical https origin', async () => {
    expect(await checkOrigin(DID, 'http://site.example', deps())).toMatchObject({
      verified: false,
      reason: 'invalid-origin',
    })
  })
})
