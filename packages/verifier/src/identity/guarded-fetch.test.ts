import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { FetchFailedError, FetchTimeoutError, ResponseTooLargeError, SsrfBlockedError } from './fetch-errors.js'
import { GuardedFetch } from './guarded-fetch.js'
import type { HostResolver } from './guarded-lookup.js'

const cleanup: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

interface Served {
  origin: string
  port: number
  requests: Array<{ method: string; url: string; body: string }>
}

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Served> {
  const state: Served = { origin: '', port: 0, requests: [] }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      state.requests.push({ method: req.method ?? '', url: req.url ?? '', body: Buffer.concat(chunks).toString() })
      handler(req, res)
    })
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

function guarded(options: ConstructorParameters<typeof GuardedFetch>[0] = {}): GuardedFetch {
  const g = new GuardedFetch(options)
  cleanup.push(() => g.close())
  return g
}

/** The typed error a rejected fetch carries as its cause. */
async function causeOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p
  } catch (err) {
    expect(err).toBeInstanceOf(TypeError)
    return (err as Error).cause
  }
  throw new Error('expected the fetch to be refused')
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

describe('GuardedFetch', () => {
  it('refuses a loopback PDS unless loopback is allowed, before connecting', async () => {
    const server = await serve((_req, res) => json(res, 200, { ok: true }))
    const cause = await causeOf(guarded().fetch(`${server.origin}/xrpc/x`))
    expect(cause).toBeInstanceOf(SsrfBlockedError)
    expect(server.requests).toHaveLength(0)
    const res = await guarded({ allowLoopback: true }).fetch(`${server.origin}/xrpc/x`)
    expect(await res.json()).toEqual({ ok: true })
  })

  it('refuses a name that resolves to a private address (checked at connect time)', async () => {
    const server = await serve((_req, res) => json(res, 200, { ok: true }))
    const dns: HostResolver = async () => [{ address: '127.0.0.1', family: 4 }]
    const cause = await causeOf(guarded({ resolveHost: dns }).fetch(`https://pds.example.com:${server.port}/`))
    expect(cause).toBeInstanceOf(SsrfBlockedError)
    expect(server.requests).toHaveLength(0)
  })

  it('passes status, headers and body through, non-2xx included (XRPC errors are answers)', async () => {
    const server = await serve((_req, res) => json(res, 400, { error: 'RecordNotFound', message: 'no record' }))
    const res = await guarded({ allowLoopback: true }).fetch(`${server.origin}/xrpc/com.atproto.repo.getRecord`)
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.json()).toEqual({ error: 'RecordNotFound', message: 'no record' })
  })

  it('sends a Request object with its method, headers and body', async () => {
    const server = await serve((req, res) => json(res, 200, { auth: req.headers.authorization ?? null }))
    const req = new Request(`${server.origin}/xrpc/p`, {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: JSON.stringify({ a: 1 }),
    })
    const res = await guarded({ allowLoopback: true }).fetch(req)
    expect(await res.json()).toEqual({ auth: 'Bearer t' })
    expect(server.requests[0]).toEqual({ method: 'POST', url: '/xrpc/p', body: '{"a":1}' })
  })

  it('does not follow redirects', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' })
      res.end()
    })
    const cause = await causeOf(guarded({ allowLoopback: true }).fetch(`${server.origin}/`))
    expect(cause).toBeInstanceOf(FetchFailedError)
    expect((cause as FetchFailedError).code).toBe('BadRedirect')
    expect(server.requests).toHaveLength(1)
  })

  it('caps the body, announced or streamed', async () => {
    const announced = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(64 * 1024 * 1024) })
      res.write('x')
    })
    const streamed = await serve((_req, res) => {
      res.writeHead(200)
      res.end(Buffer.alloc(4096, 0x61))
    })
    const g = guarded({ allowLoopback: true, maxBytes: 1024 })
    expect(await causeOf(g.fetch(announced.origin))).toBeInstanceOf(ResponseTooLargeError)
    expect(await causeOf(g.fetch(streamed.origin))).toBeInstanceOf(ResponseTooLargeError)
  })

  it('times out a server that never answers', async () => {
    const server = await serve(() => {})
    const cause = await causeOf(guarded({ allowLoopback: true, timeoutMs: 200 }).fetch(server.origin))
    expect(cause).toBeInstanceOf(FetchTimeoutError)
  })

  it('refuses non-http schemes and credentials in the url', async () => {
    const g = guarded({ allowLoopback: true })
    expect(await causeOf(g.fetch('file:///etc/passwd'))).toBeInstanceOf(SsrfBlockedError)
    expect(await causeOf(g.fetch('https://user:pw@pds.example.com/'))).toBeInstanceOf(SsrfBlockedError)
  })
})
