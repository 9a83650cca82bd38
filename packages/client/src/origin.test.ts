import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InvalidOriginError, OriginNotBoundError } from './errors.js'
import { checkOriginBinding, WELL_KNOWN_MAX_BYTES } from './origin.js'
import { closedPort, routeHostTo, startHttpServer, type TestHttpServer } from './test-util.js'

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'

describe('checkOriginBinding', () => {
  let server: TestHttpServer
  // What the server answers at /.well-known/atproto-did, per test.
  let answer: { status: number; body: string; hang?: boolean } = { status: 200, body: DID }

  beforeAll(async () => {
    server = await startHttpServer((req, res) => {
      if (req.url !== '/.well-known/atproto-did') {
        res.writeHead(404).end()
        return
      }
      if (answer.hang) return // never answers: the client must time out
      res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body)
    })
  })
  afterAll(async () => {
    await server?.close()
  })

  async function failure(p: Promise<unknown>): Promise<Error> {
    const outcome = await p.then(
      () => undefined,
      (err: Error) => err,
    )
    if (!outcome) throw new Error('expected a failure')
    return outcome
  }

  it('accepts an origin whose host is the handle, without any request', async () => {
    const before = server.requests.length
    const res = await checkOriginBinding('https://alice.example.com', { did: DID, handle: 'Alice.Example.com' })
    expect(res).toEqual({ origin: 'https://alice.example.com', via: 'handle' })
    expect(server.requests.length).toBe(before)
  })

  it('accepts an origin serving the DID at /.well-known/atproto-did (injected fetch)', async () => {
    answer = { status: 200, body: `${DID}\n` }
    const res = await checkOriginBinding(
      'https://site.example',
      { did: DID, handle: 'alice.example.com' },
      { fetch: routeHostTo('site.example', server.url) },
    )
    expect(res).toEqual({ origin: 'https://site.example', via: 'well-known' })
    expect(server.requests.at(-1)).toBe('GET /.well-known/atproto-did')
  })

  it('accepts an http loopback origin only with allowHttpLoopback', async () => {
    answer = { status: 200, body: DID }
    const res = await checkOriginBinding(server.url, { did: DID }, { allowHttpLoopback: true })
    expect(res.via).toBe('well-known')
    const err = await failure(checkOriginBinding(server.url, { did: DID }))
    expect(err).toBeInstanceOf(InvalidOriginError)
    expect(err.message).toMatch(/origin must use https/)
  })

  it.each([
    ['http://example.com', /must use https/],
    ['https://example.com/', /exactly scheme:\/\/host/],
    ['https://example.com/path', /exactly scheme:\/\/host/],
    ['https://192.168.1.1', /domain name/],
    ['not a url', /not a url/],
  ])('refuses %s as InvalidOriginError', async (origin, message) => {
    const err = await failure(checkOriginBinding(origin, { did: DID }))
    expect(err).toBeInstanceOf(InvalidOriginError)
    expect(err.message).toMatch(message)
  })

  it('refuses an origin serving another DID (mismatch)', async () => {
    answer = { status: 200, body: 'did:plc:44ybard66vv44zksje25o7dz' }
    const err = await failure(checkOriginBinding(server.url, { did: DID }, { allowHttpLoopback: true }))
    expect(err).toBeInstanceOf(OriginNotBoundError)
    expect((err as OriginNotBoundError).reason).toBe('mismatch')
  })

  it('refuses a non-200 answer (status)', async () => {
    answer = { status: 404, body: DID }
    const err = await failure(checkOriginBinding(server.url, { did: DID }, { allowHttpLoopback: true }))
    expect((err as OriginNotBoundError).reason).toBe('status')
    expect(err.message).toMatch(/status=404/)
  })

  it('stops reading after 1 KiB (too-large), even when the DID comes first', async () => {
    answer = { status: 200, body: `${DID}\n${'x'.repeat(WELL_KNOWN_MAX_BYTES)}` }
    const err = await failure(checkOriginBinding(server.url, { did: DID }, { allowHttpLoopback: true }))
    expect((err as OriginNotBoundError).reason).toBe('too-large')
  })

  it('gives up after the timeout (unreachable)', async () => {
    answer = { status: 200, body: DID, hang: true }
    const started = Date.now()
    const err = await failure(checkOriginBinding(server.url, { did: DID }, { allowHttpLoopback: true, timeoutMs: 200 }))
    expect((err as OriginNotBoundError).reason).toBe('unreachable')
    expect(err.message).toMatch(/reason=timeout/)
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('reports a closed port as unreachable', async () => {
    const port = await closedPort()
    const err = await failure(checkOriginBinding(`http://127.0.0.1:${port}`, { did: DID }, { allowHttpLoopback: true }))
    expect((err as OriginNotBoundError).reason).toBe('unreachable')
    expect(err.message).toMatch(/ECONNREFUSED/)
  })
})
