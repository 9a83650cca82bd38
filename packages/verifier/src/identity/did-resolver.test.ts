import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type LocalNetwork, startLocalNetwork } from '@donottrain/test'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { formatDidKey } from '../crypto/did-key.js'
import { getAtprotoKey, getHandle, getPdsEndpoint } from './atproto-fields.js'
import { DidResolver, type DidResolverOptions, didDocumentUrl, type KeyResolver } from './did-resolver.js'
import { FetchTimeoutError, ResponseTooLargeError, SsrfBlockedError } from './fetch-errors.js'
import { type SafeFetch, SafeFetcher } from './ssrf.js'

const cleanup: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

type Handler = (req: IncomingMessage, res: ServerResponse, did: string) => void

/** A did:web host on loopback: did:web:localhost%3A<port>, its document served by handler. */
async function didWebHost(handler: Handler) {
  const state = { did: '', hits: 0 }
  const server = createServer((req, res) => {
    state.hits++
    handler(req, res, state.did)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.did = `did:web:localhost%3A${(server.address() as AddressInfo).port}`
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  return state
}

const docFor = (did: string, handle = 'alice.example.com') => ({
  '@context': ['https://www.w3.org/ns/did/v1'],
  id: did,
  alsoKnownAs: [`at://${handle}`],
  verificationMethod: [
    {
      id: `${did}#atproto`,
      type: 'Multikey',
      controller: did,
      publicKeyMultibase: 'zQ3shXjHeiBuRCKmM36cuYnm7YEMzhGnCmCyW92sRJ9pribSF',
    },
  ],
  service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: 'https://pds.example.com' }],
})

const json = (res: ServerResponse, value: unknown) => {
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify(value))
}

function resolver(options: DidResolverOptions = {}): DidResolver {
  const r = new DidResolver({ allowLoopback: true, ...options })
  cleanup.push(() => r.close())
  return r
}

function fetcher(...args: ConstructorParameters<typeof SafeFetcher>): SafeFetcher {
  const f = new SafeFetcher(...args)
  cleanup.push(() => f.close())
  return f
}

describe('didDocumentUrl', () => {
  it('maps did:plc to the PLC directory', () => {
    expect(didDocumentUrl('did:plc:ewvi7nxzyoun6zhxrhs64oiz')).toEqual({
      ok: true,
      value: 'https://plc.directory/did:plc:ewvi7nxzyoun6zhxrhs64oiz',
    })
    const custom = didDocumentUrl('did:plc:ewvi7nxzyoun6zhxrhs64oiz', { plcUrl: 'http://localhost:2582/' })
    expect(custom.ok && custom.value).toBe('http://localhost:2582/did:plc:ewvi7nxzyoun6zhxrhs64oiz')
  })

  it('maps did:web to its https well-known', () => {
    const res = didDocumentUrl('did:web:example.com')
    expect(res.ok && res.value).toBe('https://example.com/.well-known/did.json')
  })

  it('allows a %3A port only for localhost with allowLoopback, over http', () => {
    const res = didDocumentUrl('did:web:localhost%3A8080', { allowLoopback: true })
    expect(res.ok && res.value).toBe('http://localhost:8080/.well-known/did.json')
    const bare = didDocumentUrl('did:web:localhost', { allowLoopback: true })
    expect(bare.ok && bare.value).toBe('http://localhost/.well-known/did.json')
    expect(didDocumentUrl('did:web:localhost%3A80a', { allowLoopback: true }).ok).toBe(false)
    expect(didDocumentUrl('did:web:localhost%3A8080').ok).toBe(false)
    expect(didDocumentUrl('did:web:example.com%3A8443', { allowLoopback: true }).ok).toBe(false)
  })

  it.each([
    'did:plc:EWVI7NXZYOUN6ZHXRHS64OIZ',
    'did:plc:ewvi7nxzyoun6zhxrhs64oi',
    'did:plc:ewvi7nxzyoun6zhxrhs64oiz0',
    'did:plc:ewvi7nxzyoun6zhxrhs64oi1',
    'did:web:example.com:user:alice',
    'did:web:10.0.0.1',
    'did:web:169.254.169.254',
    'did:web:127.0.0.1',
    'did:web:localhost',
    'did:web:example.com%2Fpath',
    'did:web:',
    'not a did',
    '',
  ])('refuses %j as InvalidDid', (did) => {
    const res = didDocumentUrl(did)
    expect(!res.ok && res.error.code).toBe('InvalidDid')
  })

  it('refuses other methods as UnsupportedDidMethod', () => {
    const res = didDocumentUrl('did:key:zQ3shXjHeiBuRCKmM36cuYnm7YEMzhGnCmCyW92sRJ9pribSF')
    expect(!res.ok && res.error.code).toBe('UnsupportedDidMethod')
  })
})

describe('DidResolver with did:web', () => {
  it('resolves a document and validates it', async () => {
    const host = await didWebHost((req, res, did) =>
      req.url === '/.well-known/did.json' ? json(res, docFor(did)) : res.writeHead(404).end(),
    )
    const res = await resolver().resolve(host.did)
    expect(res.ok).toBe(true)
    if (!res.ok) return
    expect(res.value.id).toBe(host.did)
    expect(getHandle(res.value)).toBe('alice.example.com')
    expect(getPdsEndpoint(res.value)).toBe('https://pds.example.com')
    expect(getAtprotoKey(res.value).ok).toBe(true)
  })

  it('follows a redirect to the document', async () => {
    const host = await didWebHost((req, res, did) => {
      if (req.url === '/real.json') return json(res, docFor(did))
      res.writeHead(301, { location: '/real.json' }).end()
    })
    expect((await resolver().resolve(host.did)).ok).toBe(true)
  })

  it.each([
    [
      'an id for another did',
      (_did: string) => JSON.stringify(docFor('did:web:evil.example.com')),
      'id does not match',
    ],
    ['an id that differs in case', (did: string) => JSON.stringify(docFor(did.toUpperCase())), 'id does not match'],
    ['malformed json', (_did: string) => '{"id": "did:web:', 'malformed json'],
    ['a json array', (_did: string) => '[]', 'not a json object'],
    ['a bad alsoKnownAs', (did: string) => JSON.stringify({ ...docFor(did), alsoKnownAs: 'x' }), 'alsoKnownAs'],
  ])('refuses a document with %s', async (_name, body, reason) => {
    const host = await didWebHost((_req, res, did) => res.end(body(did)))
    const res = await resolver().resolve(host.did)
    expect(res.ok).toBe(false)
    if (res.ok) return
    expect(res.error.code).toBe('InvalidDidDocument')
    expect(res.error.message).toContain(reason)
  })

  it('maps 404 and 410 to DidNotFound and DidTombstoned', async () => {
    const missing = await didWebHost((_req, res) => res.writeHead(404).end())
    const gone = await didWebHost((_req, res) => res.writeHead(410).end())
    const r = resolver()
    expect(await r.resolve(missing.did)).toMatchObject({ ok: false, error: { code: 'DidNotFound' } })
    expect(await r.resolve(gone.did)).toMatchObject({ ok: false, error: { code: 'DidTombstoned' } })
  })

  it('refuses a document streamed past the size cap', async () => {
    let written = 0
    const host = await didWebHost((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"id":"')
      const chunk = 'a'.repeat(64 * 1024)
      const pump = () => {
        while (!res.destroyed && written < 32 * 1024 * 1024) {
          written += chunk.length
          if (!res.write(chunk)) return void res.once('drain', pump)
        }
        res.end('"}')
      }
      pump()
    })
    const res = await resolver().resolve(host.did)
    expect(res).toMatchObject({ ok: false, error: { code: 'FetchFailed' } })
    expect(!res.ok && res.error.cause).toBeInstanceOf(ResponseTooLargeError)
    expect(written).toBeLessThan(32 * 1024 * 1024)
  })

  it('gives up on a slow host at the time cap', async () => {
    const host = await didWebHost(() => {})
    const started = Date.now()
    const res = await resolver({ timeoutMs: 300 }).resolve(host.did)
    expect(!res.ok && res.error.cause).toBeInstanceOf(FetchTimeoutError)
    expect(Date.now() - started).toBeLessThan(3000)
  })

  describe('ssrf', () => {
    it('refuses loopback did:web hosts when loopback is not allowed', async () => {
      const host = await didWebHost((_req, res, did) => json(res, docFor(did)))
      const strict = new DidResolver()
      cleanup.push(() => strict.close())
      // *.localhost is a valid hostname, so it reaches the guard, which knows it is loopback.
      const local = await strict.resolve('did:web:app.localhost')
      expect(local).toMatchObject({ ok: false, error: { code: 'FetchFailed' } })
      expect(!local.ok && local.error.cause).toBeInstanceOf(SsrfBlockedError)
      // A port (and bare localhost) are refused as syntax before any fetch.
      expect(await strict.resolve(host.did)).toMatchObject({ ok: false, error: { code: 'InvalidDid' } })
      expect(await strict.resolve('did:web:localhost')).toMatchObject({ ok: false, error: { code: 'InvalidDid' } })
      expect(host.hits).toBe(0)
    })

    it.each([
      '127.0.0.1',
      '10.0.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
    ])('refuses a did:web host whose name resolves to %s', async (address) => {
      const asked: string[] = []
      const guarded = fetcher({
        resolveHost: async (hostname) => {
          asked.push(hostname)
          return [{ address, family: address.includes(':') ? 6 : 4 }]
        },
      })
      const r = resolver({ allowLoopback: false, fetch: guarded.fetch })
      const res = await r.resolve('did:web:victim.example.com')
      expect(res).toMatchObject({ ok: false, error: { code: 'FetchFailed' } })
      expect(!res.ok && res.error.cause).toBeInstanceOf(SsrfBlockedError)
      expect(asked).toEqual(['victim.example.com'])
    })

    it.each([
      'http://10.0.0.1/.well-known/did.json',
      'https://192.168.1.1/.well-known/did.json',
      'http://169.254.169.254/latest/meta-data/',
      'https://[fe80::1]/.well-known/did.json',
      'https://[fd00::1]/.well-known/did.json',
      'https://internal.example.com/.well-known/did.json',
    ])('refuses a did:web document redirected to %s, without following', async (target) => {
      const host = await didWebHost((req, res, did) =>
        req.url === '/.well-known/did.json' ? res.writeHead(302, { location: target }).end() : json(res, docFor(did)),
      )
      const asked: string[] = []
      const guarded = fetcher({
        allowLoopback: true,
        resolveHost: async (hostname) => {
          asked.push(hostname)
          return hostname === 'internal.example.com' ? [{ address: '10.1.2.3', family: 4 }] : []
        },
      })
      const res = await resolver({ fetch: guarded.fetch }).resolve(host.did)
      expect(res).toMatchObject({ ok: false, error: { code: 'FetchFailed' } })
      expect(!res.ok && res.error.cause).toBeInstanceOf(SsrfBlockedError)
      expect(!res.ok && (res.error.cause as SsrfBlockedError).code).toBe('ForbiddenAddress')
      expect(host.hits).toBe(1)
      expect(asked).toEqual(target.includes('internal.example.com') ? ['internal.example.com'] : [])
    })

    it('refuses a document whose announced length is over the size cap, without reading it', async () => {
      const host = await didWebHost((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(64 * 1024 * 1024) })
        res.write('{"id":"')
      })
      const res = await resolver({ maxBytes: 64 * 1024 }).resolve(host.did)
      expect(res).toMatchObject({ ok: false, error: { code: 'FetchFailed' } })
      expect(!res.ok && res.error.cause).toBeInstanceOf(ResponseTooLargeError)
    })
  })

  describe('cache', () => {
    it('reuses a document until its ttl, and refetches on forceRefresh', async () => {
      let clock = 1_000
      const host = await didWebHost((_req, res, did) => json(res, docFor(did)))
      const r = resolver({ ttlMs: 10_000, now: () => clock })
      const first = await r.resolve(host.did)
      const second = await r.resolve(host.did)
      expect(host.hits).toBe(1)
      expect(second).toBe(first)
      clock += 9_999
      await r.resolve(host.did)
      expect(host.hits).toBe(1)
      await r.resolve(host.did, { forceRefresh: true })
      expect(host.hits).toBe(2)
      clock += 10_001
      await r.resolve(host.did)
      expect(host.hits).toBe(3)
    })

    it('keeps failures for the shorter failure ttl', async () => {
      let clock = 0
      let fail = true
      const host = await didWebHost((_req, res, did) => (fail ? res.writeHead(500).end() : json(res, docFor(did))))
      const r = resolver({ ttlMs: 60_000, failureTtlMs: 1_000, now: () => clock })
      expect((await r.resolve(host.did)).ok).toBe(false)
      fail = false
      expect((await r.resolve(host.did)).ok).toBe(false)
      expect(host.hits).toBe(1)
      clock += 1_001
      expect((await r.resolve(host.did)).ok).toBe(true)
      expect(host.hits).toBe(2)
    })

    it('does not cache syntax errors (there is nothing to fetch)', async () => {
      const r = resolver()
      expect((await r.resolve('did:web:bad:path')).ok).toBe(false)
      expect((await r.resolve('did:web:bad:path')).ok).toBe(false)
    })

    it('evicts the least recently used DID past maxCacheSize', async () => {
      const hosts = await Promise.all([1, 2, 3].map(() => didWebHost((_req, res, did) => json(res, docFor(did)))))
      const [a, b, c] = hosts as [(typeof hosts)[0], (typeof hosts)[0], (typeof hosts)[0]]
      const r = resolver({ maxCacheSize: 2 })
      await r.resolve(a.did)
      await r.resolve(b.did)
      await r.resolve(a.did) // a is now the most recent
      await r.resolve(c.did) // evicts b
      await r.resolve(a.did)
      await r.resolve(b.did)
      expect([a.hits, b.hits, c.hits]).toEqual([1, 2, 1])
    })

    it('shares one fetch between concurrent resolves of the same DID', async () => {
      const host = await didWebHost((_req, res, did) => setTimeout(() => json(res, docFor(did)), 100))
      const r = resolver()
      const results = await Promise.all(Array.from({ length: 10 }, () => r.resolve(host.did)))
      expect(host.hits).toBe(1)
      expect(new Set(results.map((res) => (res.ok ? res.value : res.error))).size).toBe(1)
    })

    it('does not let a forced refresh join an older fetch, nor an older fetch overwrite a newer result', async () => {
      const held: ServerResponse[] = []
      const host = await didWebHost((_req, res) => held.push(res))
      const waitForHeld = async (n: number) => {
        while (held.length < n) await new Promise((resolve) => setTimeout(resolve, 5))
      }
      const r = resolver()
      const older = r.resolve(host.did)
      await waitForHeld(1)
      const forced = r.resolve(host.did, { forceRefresh: true })
      await waitForHeld(2)
      const joined = r.resolve(host.did) // joins the forced fetch, the newest
      json(held[1] as ServerResponse, docFor(host.did, 'new.example.com'))
      const newer = await forced
      json(held[0] as ServerResponse, docFor(host.did, 'old.example.com'))
      const stale = await older
      expect(newer.ok && getHandle(newer.value)).toBe('new.example.com')
      expect(stale.ok && getHandle(stale.value)).toBe('old.example.com')
      expect(await joined).toBe(newer)
      const cached = await r.resolve(host.did)
      expect(cached.ok && getHandle(cached.value)).toBe('new.example.com')
      expect(host.hits).toBe(2)
    })
  })
})

describe('DidResolver with a real PLC directory', () => {
  let net: LocalNetwork
  let alice: { did: string; handle: string }

  beforeAll(async () => {
    net = await startLocalNetwork()
    alice = await net.createAccount('alice')
  }, 120_000)
  afterAll(async () => {
    await net?.close()
  })

  /** A resolver whose PLC fetches are counted. */
  function countingResolver(options: DidResolverOptions = {}) {
    const guarded = fetcher({ allowLoopback: true })
    const calls: string[] = []
    const fetch: SafeFetch = (url, init) => {
      calls.push(String(url))
      return guarded.fetch(url, init)
    }
    return { calls, r: resolver({ plcUrl: net.plcUrl, fetch, ...options }) }
  }

  it("resolves an account's DID to its key, PDS and handle", async () => {
    const { r } = countingResolver()
    const res = await r.resolve(alice.did)
    expect(res.ok).toBe(true)
    if (!res.ok) return
    expect(res.value.id).toBe(alice.did)
    expect(getPdsEndpoint(res.value)).toBe(net.pdsUrl)
    expect(getHandle(res.value)).toBe(alice.handle)

    // The key the PLC directory holds in its own (non-document) form, as a did:key.
    const data = (await (await fetch(`${net.plcUrl}/${alice.did}/data`)).json()) as {
      verificationMethods: { atproto: string }
    }
    const key = getAtprotoKey(res.value)
    expect(key.ok && formatDidKey(key.value)).toBe(data.verificationMethods.atproto)
    const resolved = await r.resolveAtprotoKey(alice.did)
    expect(resolved.ok && formatDidKey(resolved.value)).toBe(data.verificationMethods.atproto)
  })

  it('fetches once, serves the cache, and fetches again on forceRefresh', async () => {
    const { r, calls } = countingResolver()
    await r.resolve(alice.did)
    await r.resolveAtprotoKey(alice.did)
    await r.resolve(alice.did)
    expect(calls).toEqual([`${net.plcUrl}/${alice.did}`])
    await r.resolveAtprotoKey(alice.did, { forceRefresh: true })
    expect(calls).toHaveLength(2)
  })

  it('sees a handle change only after forceRefresh', async () => {
    const bob = await net.createAccount('bob')
    const { r } = countingResolver()
    const before = await r.resolve(bob.did)
    expect(before.ok && getHandle(before.value)).toBe('bob.test')
    await bob.agent.com.atproto.identity.updateHandle({ handle: 'bobby.test' })
    const cached = await r.resolve(bob.did)
    expect(cached.ok && getHandle(cached.value)).toBe('bob.test')
    const fresh = await r.resolve(bob.did, { forceRefresh: true })
    expect(fresh.ok && getHandle(fresh.value)).toBe('bobby.test')
  })

  it('reports an unknown did:plc as DidNotFound', async () => {
    const { r } = countingResolver()
    const res = await r.resolveAtprotoKey('did:plc:aaaaaaaaaaaaaaaaaaaaaaaa')
    expect(res).toMatchObject({ ok: false, error: { code: 'DidNotFound' } })
  })

  it('guards the PLC fetch too: a loopback directory is refused without allowLoopback', async () => {
    const strict = new DidResolver({ plcUrl: net.plcUrl })
    cleanup.push(() => strict.close())
    const res = await strict.resolve(alice.did)
    expect(!res.ok && res.error.cause).toBeInstanceOf(SsrfBlockedError)
  })

  it('is a KeyResolver', async () => {
    const keys: KeyResolver = countingResolver().r
    const res = await keys.resolveAtprotoKey(alice.did)
    expect(res.ok && res.value.type).toMatch(/^(secp256k1|p256)$/)
  })
})
