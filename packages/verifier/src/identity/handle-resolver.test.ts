import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { DidResolver } from './did-resolver.js'
import { SsrfBlockedError } from './fetch-errors.js'
import {
  checkHandle,
  didFromTxt,
  HandleResolveError,
  HandleResolver,
  type HandleResolverOptions,
  type TxtResolver,
  verifyHandle,
} from './handle-resolver.js'
import { SafeFetcher } from './ssrf.js'

const ALICE = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'
const BOB = 'did:plc:bbbbbbbbbbbbbbbbbbbbbbbb'

const cleanup: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

async function serve(handler: (req: IncomingMessage, res: ServerResponse, port: number) => void) {
  const state = { port: 0, origin: '', hits: [] as string[] }
  const server = createServer((req, res) => {
    state.hits.push(`${req.headers.host ?? ''}${req.url ?? ''}`)
    handler(req, res, state.port)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.port = (server.address() as AddressInfo).port
  state.origin = `http://127.0.0.1:${state.port}`
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  return state
}

/** A DNS stand-in for TXT: fixed records per name, a record of the names asked. */
function fakeTxt(records: Record<string, string[][]>): TxtResolver & { asked: string[] } {
  const asked: string[] = []
  const resolve = async (hostname: string) => {
    asked.push(hostname)
    const found = records[hostname]
    if (found === undefined) throw Object.assign(new Error(`queryTxt ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
    return found
  }
  return Object.assign(resolve, { asked })
}

function handles(options: HandleResolverOptions): HandleResolver {
  const r = new HandleResolver(options)
  cleanup.push(() => r.close())
  return r
}

/** A handle resolver whose well-known for every handle is `<origin>/<handle>` on a test server. */
const viaServer = (origin: string, txt: TxtResolver = fakeTxt({})) =>
  handles({ allowLoopback: true, resolveTxt: txt, wellKnownOverride: (handle) => `${origin}/${handle}` })

describe('checkHandle', () => {
  it('lower-cases a valid handle', () => {
    expect(checkHandle('Alice.Example.COM')).toEqual({ ok: true, value: 'alice.example.com' })
    expect(checkHandle('alice.test').ok).toBe(true)
  })

  it.each([
    'alice',
    'alice.example.com.',
    'http://alice.example.com',
    'alice@example.com',
    '127.0.0.1',
    'a.local',
    'a.arpa',
    'a.onion',
    'a.localhost',
    'a.internal',
    'a.invalid',
    'a.example',
    'a.alt',
    '',
  ])('refuses %j', (handle) => {
    const res = checkHandle(handle)
    expect(!res.ok && res.error.code).toBe('InvalidHandle')
  })
})

describe('didFromTxt', () => {
  it('takes the one did= record, joining its character-strings', () => {
    expect(didFromTxt('a.com', [['v=spf1 -all'], ['did=did:plc:ewvi7nxzyo', 'un6zhxrhs64oiz']])).toEqual({
      ok: true,
      value: ALICE,
    })
  })

  it.each([
    ['no did= record', [['v=spf1 -all']]],
    ['two did= records', [[`did=${ALICE}`], [`did=${BOB}`]]],
    ['an invalid DID', [['did=not-a-did']]],
    ['a did= record with spaces', [[`did= ${ALICE}`]]],
    ['a DID without the did= prefix', [[ALICE]]],
    ['nothing', []],
  ])('refuses %s', (_name, records) => {
    const res = didFromTxt('a.com', records)
    expect(!res.ok && res.error.code).toBe('HandleNotFound')
  })
})

describe('HandleResolver', () => {
  it('resolves through DNS TXT at _atproto.<handle>, lower-casing the handle first', async () => {
    const txt = fakeTxt({ '_atproto.alice.example.com': [[`did=${ALICE}`]] })
    const res = await handles({ resolveTxt: txt }).resolveDns('Alice.Example.com')
    expect(res).toEqual({ ok: true, value: ALICE })
    expect(txt.asked).toEqual(['_atproto.alice.example.com'])
  })

  it('reports DNS errors as HandleNotFound with the cause', async () => {
    const failing: TxtResolver = async () => {
      throw Object.assign(new Error('queryTxt ESERVFAIL'), { code: 'ESERVFAIL' })
    }
    const res = await handles({ resolveTxt: failing }).resolveDns('alice.example.com')
    expect(!res.ok && res.error.message).toContain('reason=ESERVFAIL')
    expect(!res.ok && res.error.cause).toBeInstanceOf(Error)
  })

  it('resolves through the well-known, trimming the answer', async () => {
    const server = await serve((_req, res) => res.end(`${ALICE}\n`))
    const res = await viaServer(server.origin).resolveHttp('alice.example.com')
    expect(res).toEqual({ ok: true, value: ALICE })
    expect(server.hits).toEqual([`127.0.0.1:${server.port}/alice.example.com`])
  })

  it.each([
    ['a body that is not a DID', (res: ServerResponse) => res.end('<html>hello</html>')],
    ['two DIDs', (res: ServerResponse) => res.end(`${ALICE}\n${BOB}`)],
    ['a 404', (res: ServerResponse) => res.writeHead(404).end(ALICE)],
    ['a body over 4 KiB', (res: ServerResponse) => res.end(`${ALICE}${' '.repeat(5000)}`)],
    ['invalid utf-8', (res: ServerResponse) => res.end(Buffer.from([0x64, 0xff, 0x64]))],
  ])('refuses a well-known with %s', async (_name, handler) => {
    const server = await serve((_req, res) => handler(res))
    const res = await viaServer(server.origin).resolveHttp('alice.example.com')
    expect(!res.ok && res.error.code).toBe('HandleNotFound')
  })

  it('prefers DNS when it answers', async () => {
    const server = await serve((_req, res) => res.end(BOB))
    const txt = fakeTxt({ '_atproto.alice.example.com': [[`did=${ALICE}`]] })
    expect(await viaServer(server.origin, txt).resolve('alice.example.com')).toEqual({ ok: true, value: ALICE })
  })

  it('falls back to the well-known when DNS has no single answer', async () => {
    const server = await serve((_req, res) => res.end(BOB))
    const ambiguous = fakeTxt({ '_atproto.alice.example.com': [[`did=${ALICE}`], [`did=${BOB}`]] })
    expect(await viaServer(server.origin, ambiguous).resolve('alice.example.com')).toEqual({ ok: true, value: BOB })
    expect(await viaServer(server.origin).resolve('alice.example.com')).toEqual({ ok: true, value: BOB })
  })

  it('reports both failures when neither way answers', async () => {
    const server = await serve((_req, res) => res.writeHead(404).end())
    const res = await viaServer(server.origin).resolve('alice.example.com')
    expect(res.ok).toBe(false)
    if (res.ok) return
    expect(res.error.code).toBe('HandleNotFound')
    expect(res.error.cause).toBeInstanceOf(AggregateError)
    expect((res.error.cause as AggregateError).errors).toHaveLength(2)
  })

  it('refuses an invalid handle without any lookup', async () => {
    const txt = fakeTxt({})
    const res = await handles({ resolveTxt: txt }).resolve('alice.local')
    expect(!res.ok && res.error.code).toBe('InvalidHandle')
    expect(txt.asked).toEqual([])
  })

  it.each(['127.0.0.1', '10.0.0.1', '169.254.169.254', '::1'])(
    'does not fetch a well-known whose host resolves to %s',
    async (address) => {
      const asked: string[] = []
      const guarded = new SafeFetcher({
        resolveHost: async (hostname) => {
          asked.push(hostname)
          return [{ address, family: address.includes(':') ? 6 : 4 }]
        },
      })
      cleanup.push(() => guarded.close())
      const res = await handles({ fetch: guarded.fetch, resolveTxt: fakeTxt({}) }).resolveHttp('victim.example.com')
      expect(!res.ok && res.error.code).toBe('HandleNotFound')
      expect(!res.ok && res.error.cause).toBeInstanceOf(SsrfBlockedError)
      expect(asked).toEqual(['victim.example.com'])
    },
  )
})

describe('verifyHandle', () => {
  /** A did:web DID on loopback whose document lists `aliases`, and resolvers that know it. */
  async function setup(aliases: (did: string) => string[], txt: (did: string) => Record<string, string[][]>) {
    const host = await serve((_req, res, port) => {
      const did = `did:web:localhost%3A${port}`
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ id: did, alsoKnownAs: aliases(did) }))
    })
    const did = `did:web:localhost%3A${host.port}`
    const dids = new DidResolver({ allowLoopback: true })
    cleanup.push(() => dids.close())
    return { did, deps: { dids, handles: handles({ resolveTxt: fakeTxt(txt(did)), fetch: async () => notFetched }) } }
  }
  const notFetched = { ok: false as const, error: new SsrfBlockedError('ForbiddenAddress', 'not in this test') }

  it('verifies a handle that resolves to the DID whose document claims it first', async () => {
    const { did, deps } = await setup(
      () => ['at://alice.example.com', 'at://other.example.com'],
      (did) => ({ '_atproto.alice.example.com': [[`did=${did}`]] }),
    )
    const res = await verifyHandle('Alice.Example.com', did, deps)
    expect(res.ok).toBe(true)
    if (!res.ok) return
    expect(res.value.handle).toBe('alice.example.com')
    expect(res.value.did).toBe(did)
    expect(res.value.document.id).toBe(did)
  })

  it('refuses a handle that resolves to another DID', async () => {
    const { did, deps } = await setup(
      () => ['at://alice.example.com'],
      () => ({ '_atproto.alice.example.com': [[`did=${BOB}`]] }),
    )
    const res = await verifyHandle('alice.example.com', did, deps)
    expect(!res.ok && res.error.code).toBe('HandleMismatch')
  })

  it.each([
    ['claims another handle', ['at://mallory.example.com']],
    ['claims it only after another handle', ['at://mallory.example.com', 'at://alice.example.com']],
    ['claims no handle', ['https://alice.example.com']],
  ])('refuses a handle when the document %s', async (_name, aliases) => {
    const { did, deps } = await setup(
      () => aliases,
      (did) => ({ '_atproto.alice.example.com': [[`did=${did}`]] }),
    )
    const res = await verifyHandle('alice.example.com', did, deps)
    expect(!res.ok && res.error.code).toBe('HandleNotInDocument')
  })

  it('reports a handle that does not resolve, and a DID that does not', async () => {
    const { did, deps } = await setup(
      () => ['at://alice.example.com'],
      () => ({}),
    )
    const unresolved = await verifyHandle('alice.example.com', did, deps)
    expect(!unresolved.ok && unresolved.error.code).toBe('HandleNotFound')

    const orphan = await setup(
      () => [],
      () => ({ '_atproto.alice.example.com': [['did=did:web:localhost%3A1']] }),
    )
    const noDoc = await verifyHandle('alice.example.com', 'did:web:localhost%3A1', orphan.deps)
    expect(!noDoc.ok && noDoc.error.code).toBe('DidResolutionFailed')
    expect(!noDoc.ok && noDoc.error.cause).toBeInstanceOf(Error)
  })

  it('returns HandleResolveError values, never throws', async () => {
    const { did, deps } = await setup(
      () => [],
      () => ({}),
    )
    const res = await verifyHandle('not a handle', did, deps)
    expect(!res.ok && res.error).toBeInstanceOf(HandleResolveError)
  })
})
