import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SsrfBlockedError } from '../identity/fetch-errors.js'
import { SafeFetcher } from '../identity/ssrf.js'
import { fetchTrustingOrigins } from './trusted-origins.js'

let server: ReturnType<typeof createServer>
let base = ''
const guarded = new SafeFetcher()
const loopback = new SafeFetcher({ allowLoopback: true })

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/redirect') {
      res.writeHead(302, { location: `${base}/hello` })
      res.end()
      return
    }
    res.end('hello')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await Promise.all([guarded.close(), loopback.close()])
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

describe('fetchTrustingOrigins', () => {
  it('lets configured origins through the trusted fetch and guards every other url', async () => {
    const fetch = fetchTrustingOrigins([`${base}/`], loopback.fetch, guarded.fetch)
    const ok = await fetch(`${base}/hello`)
    expect(ok.ok && new TextDecoder().decode(ok.value.body)).toBe('hello')
    const other = await fetch(base.replace('127.0.0.1', 'localhost'))
    expect(!other.ok && other.error).toBeInstanceOf(SsrfBlockedError)
    const port = await fetch(`http://127.0.0.1:1/hello`)
    expect(!port.ok && port.error).toBeInstanceOf(SsrfBlockedError)
  })

  it('refuses origins that are not http(s) urls', () => {
    expect(() => fetchTrustingOrigins(['not a url'], loopback.fetch, guarded.fetch)).toThrow(TypeError)
    expect(() => fetchTrustingOrigins(['data:text/plain,x'], loopback.fetch, guarded.fetch)).toThrow(TypeError)
  })
})
