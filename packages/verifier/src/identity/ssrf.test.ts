import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import {
  FetchFailedError,
  FetchTimeoutError,
  HttpStatusError,
  ResponseTooLargeError,
  redactUrl,
  SsrfBlockedError,
} from './fetch-errors.js'
import type { HostResolver } from './guarded-lookup.js'
import { checkFetchUrl, SafeFetcher, type SafeFetchOptions } from './ssrf.js'

interface TestServer {
  origin: string
  port: number
  /** TCP connections accepted, whatever came over them. */
  connections: number
  paths: string[]
}

const cleanup: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  const server = createServer(handler)
  const state = { origin: '', port: 0, connections: 0, paths: [] as string[] }
  server.on('connection', () => state.connections++)
  server.on('request', (req: IncomingMessage) => state.paths.push(req.url ?? ''))
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

function fetcher(options: SafeFetchOptions = {}): SafeFetcher {
  const f = new SafeFetcher(options)
  cleanup.push(() => f.close())
  return f
}

/** A DNS stand-in: fixed answers, and a record of every name asked. */
function fakeDns(answers: Record<string, string[]>): HostResolver & { asked: string[] } {
  const asked: string[] = []
  const resolve = async (hostname: string) => {
    asked.push(hostname)
    const found = answers[hostname]
    if (found === undefined) throw Object.assign(new Error(`not found ${hostname}`), { code: 'ENOTFOUND' })
    return found.map((address) => ({ address, family: address.includes(':') ? (6 as const) : (4 as const) }))
  }
  return Object.assign(resolve, { asked })
}

const text = (body: Uint8Array) => new TextDecoder().decode(body)

describe('checkFetchUrl', () => {
  it.each([
    'ftp://example.com/x',
    'file:///etc/passwd',
    'data:text/plain,hi',
    'javascript:alert(1)',
    'ws://example.com',
  ])('refuses the protocol of %s', (url) => {
    const res = checkFetchUrl(url, { allowLoopback: true, allowPrivate: true })
    expect(res.ok).toBe(false)
    if (!res.ok) expect(res.error.code).toBe('ForbiddenProtocol')
  })

  it('refuses what is not a url', () => {
    const res = checkFetchUrl('not a url')
    expect(!res.ok && res.error.code).toBe('InvalidUrl')
  })

  it('refuses credentials without echoing them', () => {
    const res = checkFetchUrl('https://alice:hunter2@example.com/x?token=abc')
    expect(!res.ok && res.error.code).toBe('Credentials')
    if (!res.ok) {
      expect(res.error.message).not.toContain('hunter2')
      expect(res.error.message).not.toContain('token')
      expect(res.error.message).toContain('url=https://example.com/x')
    }
  })

  it('requires https for public hosts, even with allowLoopback', () => {
    const res = checkFetchUrl('http://example.com/', { allowLoopback: true })
    expect(!res.ok && res.error.code).toBe('HttpsRequired')
    expect(checkFetchUrl('https://example.com/').ok).toBe(true)
  })

  it.each([
    'http://127.0.0.1/',
    'https://127.0.0.1/',
    'https://10.0.0.1/',
    'https://172.16.5.4/',
    'https://192.168.1.1/',
    'https://100.64.0.1/',
    'http://169.254.169.254/latest/meta-data/',
    'https://[::1]/',
    'https://[::ffff:127.0.0.1]/',
    'https://[::ffff:a9fe:a9fe]/',
    'https://[fd00::1]/',
    'https://[fe80::1]/',
    'https://0.0.0.0/',
    'https://2130706433/', // 127.0.0.1 as one number; URL parsing normalises it
    'https://0x7f.1/',
    'https://017700000001/',
    'https://224.0.0.1/',
    'https://255.255.255.255/',
  ])('refuses the ip literal in %s', (url) => {
    const res = checkFetchUrl(url)
    expect(!res.ok && res.error.code).toBe('ForbiddenAddress')
  })

  it('allows loopback literals and localhost over http only with allowLoopback', () => {
    for (const url of [
      'http://127.0.0.1:8080/',
      'http://[::1]:8080/',
      'http://localhost:8080/',
      'http://a.localhost/',
    ]) {
      expect(checkFetchUrl(url, { allowLoopback: true }).ok).toBe(true)
      expect(checkFetchUrl(url).ok).toBe(false)
    }
  })

  it('keeps refusing private and reserved literals when only loopback is allowed', () => {
    expect(checkFetchUrl('https://10.0.0.1/', { allowLoopback: true }).ok).toBe(false)
    expect(checkFetchUrl('http://169.254.169.254/', { allowLoopback: true, allowPrivate: true }).ok).toBe(false)
    expect(checkFetchUrl('https://10.0.0.1/', { allowPrivate: true }).ok).toBe(true)
  })
})

describe('redactUrl', () => {
  it('drops userinfo, query and fragment', () => {
    expect(redactUrl('https://u:p@example.com:8443/a/b?x=1#f')).toBe('https://example.com:8443/a/b')
  })
})

describe('SafeFetcher', () => {
  it('fetches a 2xx body from an allowed loopback server', async () => {
    const server = await serve((_req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end('{"hello":"world"}')
    })
    const res = await fetcher({ allowLoopback: true }).fetch(`${server.origin}/doc`)
    expect(res.ok).toBe(true)
    if (!res.ok) return
    expect(JSON.parse(text(res.value.body))).toEqual({ hello: 'world' })
    expect(res.value.status).toBe(200)
    expect(res.value.contentType).toBe('application/json')
    expect(server.paths).toEqual(['/doc'])
  })

  it.each(['127.0.0.1', 'localhost', '[::1]', '[::ffff:127.0.0.1]'])(
    'refuses loopback host %s without allowLoopback, before connecting',
    async (host) => {
      const server = await serve((_req, res) => res.end('secret'))
      for (const scheme of ['http', 'https']) {
        const res = await fetcher().fetch(`${scheme}://${host}:${server.port}/`)
        expect(res.ok).toBe(false)
        if (!res.ok) expect(res.error).toBeInstanceOf(SsrfBlockedError)
      }
      expect(server.connections).toBe(0)
    },
  )

  it.each(['10.0.0.1', '169.254.169.254', '192.168.0.10', 'fd00::1', '::ffff:10.0.0.1', '0.0.0.0'])(
    'refuses a hostname that resolves to %s, before connecting',
    async (address) => {
      const dns = fakeDns({ 'internal.example.com': [address] })
      const res = await fetcher({ resolveHost: dns, allowLoopback: true }).fetch('https://internal.example.com/')
      expect(res.ok).toBe(false)
      if (!res.ok) {
        expect(res.error).toBeInstanceOf(SsrfBlockedError)
        expect((res.error as SsrfBlockedError).code).toBe('ForbiddenAddress')
        expect(res.error.message).toContain(`address=${address}`)
      }
      expect(dns.asked).toEqual(['internal.example.com'])
    },
  )

  it('refuses a hostname when any of its addresses is forbidden', async () => {
    const dns = fakeDns({ 'mixed.example.com': ['8.8.8.8', '127.0.0.1'] })
    const res = await fetcher({ resolveHost: dns }).fetch('https://mixed.example.com/')
    expect(!res.ok && res.error).toBeInstanceOf(SsrfBlockedError)
  })

  it('connects to the address the guard resolved and checked (no second lookup)', async () => {
    // The name only exists in the injected resolver: a connection can only come from its answer.
    const server = await serve((_req, res) => res.end('ok'))
    const dns = fakeDns({ 'only-in-fake-dns.test': ['127.0.0.1'] })
    const allowed = await fetcher({ resolveHost: dns, allowLoopback: true }).fetch(
      `https://only-in-fake-dns.test:${server.port}/`,
    )
    // The server speaks plain http, so the TLS handshake fails, after connecting.
    expect(!allowed.ok && allowed.error).toBeInstanceOf(FetchFailedError)
    expect(server.connections).toBe(1)

    const refused = await fetcher({ resolveHost: dns }).fetch(`https://only-in-fake-dns.test:${server.port}/`)
    expect(!refused.ok && refused.error).toBeInstanceOf(SsrfBlockedError)
    expect(server.connections).toBe(1)
  })

  describe('redirects', () => {
    async function redirector(targets: Record<string, string | undefined>) {
      return serve((req, res) => {
        const path = req.url ?? ''
        if (path in targets) {
          const location = targets[path]
          if (location !== undefined) res.setHeader('location', location)
          res.statusCode = 302
          res.end()
        } else res.end(`final ${path}`)
      })
    }

    it('follows up to three hops, relative and absolute, and reports the final url', async () => {
      const server = await redirector({ '/a': '/b', '/b': 'c', '/c': '/d' })
      const res = await fetcher({ allowLoopback: true }).fetch(`${server.origin}/a`)
      expect(res.ok).toBe(true)
      if (!res.ok) return
      expect(text(res.value.body)).toBe('final /d')
      expect(res.value.url).toBe(`${server.origin}/d`)
      expect(server.paths).toEqual(['/a', '/b', '/c', '/d'])
    })

    it('stops after maxRedirects', async () => {
      const server = await redirector({ '/a': '/b', '/b': '/c', '/c': '/d', '/d': '/e' })
      const res = await fetcher({ allowLoopback: true }).fetch(`${server.origin}/a`)
      expect(!res.ok && res.error).toBeInstanceOf(FetchFailedError)
      if (!res.ok) expect((res.error as FetchFailedError).code).toBe('TooManyRedirects')
      expect(server.paths).toEqual(['/a', '/b', '/c', '/d'])
    })

    it('refuses a redirect without a location', async () => {
      const server = await redirector({ '/a': undefined })
      const res = await fetcher({ allowLoopback: true }).fetch(`${server.origin}/a`)
      expect(!res.ok && (res.error as FetchFailedError).code).toBe('BadRedirect')
    })

    it.each([
      ['http://10.0.0.1/', 'ForbiddenAddress'],
      ['http://169.254.169.254/latest/meta-data/iam/security-credentials/', 'ForbiddenAddress'],
      ['https://[fd00::1]/', 'ForbiddenAddress'],
      ['https://[::ffff:192.168.0.1]/', 'ForbiddenAddress'],
      ['https://internal.example.com/', 'ForbiddenAddress'],
      ['file:///etc/passwd', 'ForbiddenProtocol'],
      ['http://public.example.com/', 'HttpsRequired'],
      ['https://user:pw@public.example.com/', 'Credentials'],
    ])('re-checks every hop: refuses a redirect to %s', async (target, code) => {
      const dns = fakeDns({ 'internal.example.com': ['192.168.0.10'] })
      const server = await redirector({ '/a': target })
      const res = await fetcher({ allowLoopback: true, resolveHost: dns }).fetch(`${server.origin}/a`)
      expect(res.ok).toBe(false)
      if (res.ok) return
      expect(res.error).toBeInstanceOf(SsrfBlockedError)
      expect((res.error as SsrfBlockedError).code).toBe(code)
      expect(res.error.message).not.toContain('pw@')
      expect(server.paths).toEqual(['/a'])
      // A name on the second hop goes through the guard's resolver again.
      expect(dns.asked).toEqual(target.includes('internal.example.com') ? ['internal.example.com'] : [])
    })
  })

  describe('caps', () => {
    it('refuses an announced content-length over the cap without reading it', async () => {
      const server = await serve((_req, res) => {
        res.setHeader('content-length', String(2 * 1024 * 1024))
        res.write(Buffer.alloc(1024))
      })
      const res = await fetcher({ allowLoopback: true }).fetch(server.origin)
      expect(!res.ok && res.error).toBeInstanceOf(ResponseTooLargeError)
      if (!res.ok) expect(res.error.message).toContain('max_bytes=1048576')
    })

    it('stops reading a streamed body past the cap and drops the connection', async () => {
      let written = 0
      let closed = false
      const server = await serve((_req, res) => {
        res.on('close', () => {
          closed = true
        })
        const chunk = Buffer.alloc(64 * 1024, 0x61)
        const pump = () => {
          while (!closed && written < 256 * 1024 * 1024) {
            written += chunk.length
            if (!res.write(chunk)) return void res.once('drain', pump)
          }
          res.end()
        }
        pump()
      })
      const res = await fetcher({ allowLoopback: true, maxBytes: 100_000 }).fetch(server.origin)
      expect(!res.ok && res.error).toBeInstanceOf(ResponseTooLargeError)
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(closed).toBe(true)
      expect(written).toBeLessThan(64 * 1024 * 1024)
    })

    it('accepts a body of exactly the cap', async () => {
      const server = await serve((_req, res) => res.end(Buffer.alloc(1000, 0x62)))
      const res = await fetcher({ allowLoopback: true }).fetch(server.origin, { maxBytes: 1000 })
      expect(res.ok && res.value.body.length).toBe(1000)
      const over = await fetcher({ allowLoopback: true }).fetch(server.origin, { maxBytes: 999 })
      expect(!over.ok && over.error).toBeInstanceOf(ResponseTooLargeError)
    })

    it('times out a server that never answers', async () => {
      const server = await serve(() => {})
      const started = Date.now()
      const res = await fetcher({ allowLoopback: true, timeoutMs: 300 }).fetch(server.origin)
      expect(!res.ok && res.error).toBeInstanceOf(FetchTimeoutError)
      expect(Date.now() - started).toBeLessThan(3000)
    })

    it('lets one call lower the time cap', async () => {
      const server = await serve(() => {})
      const started = Date.now()
      const res = await fetcher({ allowLoopback: true }).fetch(server.origin, { timeoutMs: 200 })
      expect(!res.ok && res.error).toBeInstanceOf(FetchTimeoutError)
      expect(!res.ok && (res.error as FetchTimeoutError).timeoutMs).toBe(200)
      expect(Date.now() - started).toBeLessThan(2000)
    })

    it('times out a body that trickles in: the cap is on the whole exchange', async () => {
      const server = await serve((_req, res) => {
        res.writeHead(200)
        const timer = setInterval(() => res.write('x'), 50)
        res.on('close', () => clearInterval(timer))
      })
      const started = Date.now()
      const res = await fetcher({ allowLoopback: true, timeoutMs: 400 }).fetch(server.origin)
      expect(!res.ok && res.error).toBeInstanceOf(FetchTimeoutError)
      expect(Date.now() - started).toBeLessThan(3000)
    })

    it('counts redirect hops against the same time cap', async () => {
      const server = await serve((req, res) => {
        setTimeout(() => {
          res.statusCode = 302
          res.setHeader('location', `/${(req.url ?? '').length}`)
          res.end()
        }, 150)
      })
      const res = await fetcher({ allowLoopback: true, timeoutMs: 400, maxRedirects: 3 }).fetch(server.origin)
      expect(!res.ok && res.error).toBeInstanceOf(FetchTimeoutError)
    })
  })

  it('reports a non-2xx status as HttpStatusError', async () => {
    const server = await serve((req, res) => {
      res.statusCode = req.url === '/gone' ? 410 : 500
      res.end('nope')
    })
    const f = fetcher({ allowLoopback: true })
    const gone = await f.fetch(`${server.origin}/gone`)
    expect(!gone.ok && gone.error).toBeInstanceOf(HttpStatusError)
    expect(!gone.ok && (gone.error as HttpStatusError).status).toBe(410)
    const broken = await f.fetch(`${server.origin}/x`)
    expect(!broken.ok && (broken.error as HttpStatusError).status).toBe(500)
  })

  it('reports a refused connection and a caller abort as FetchFailedError', async () => {
    const server = await serve((_req, res) => res.end())
    const port = server.port
    await cleanup.pop()?.()
    const refused = await fetcher({ allowLoopback: true }).fetch(`http://127.0.0.1:${port}/`)
    expect(!refused.ok && (refused.error as FetchFailedError).code).toBe('Network')

    const hanging = await serve(() => {})
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 50)
    const aborted = await fetcher({ allowLoopback: true }).fetch(hanging.origin, { signal: controller.signal })
    expect(!aborted.ok && (aborted.error as FetchFailedError).code).toBe('Aborted')
  })
})
