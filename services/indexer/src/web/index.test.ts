import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bskyIds, ids } from '@donottrain/lexicon'
import { afterEach, describe, expect, it } from 'vitest'
import type { Queries } from '../db/queries.js'
import { createWebRoutes, PUBLISH_SCOPE, type WebOptions } from './index.js'

// The Check page's answers are covered end to end (test/e2e/web.test.ts); these routes need no store.
const api = { queries: {} as Queries, lookupHandles: async () => new Map() }

let server: Server | undefined
afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())))

async function serve(opts: Partial<WebOptions>): Promise<string> {
  const routes = createWebRoutes({ api, publicUrl: null, plcUrl: 'https://plc.directory', ...opts })
  server = createServer(async (req, res) => {
    for (const route of routes) if (await route(req, res)) return
    res.writeHead(404, { 'x-fell-through': '1' })
    res.end()
  })
  await new Promise<void>((done) => server?.listen(0, '127.0.0.1', done))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe('createWebRoutes', () => {
  it('serves the client metadata document of an https deployment, and names it as the client id', async () => {
    const url = await serve({ publicUrl: 'https://indexer.example.com/' })
    const res = await fetch(`${url}/oauth/client-metadata.json`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      client_id: 'https://indexer.example.com/oauth/client-metadata.json',
      client_name: '#donottrain',
      client_uri: 'https://indexer.example.com',
      redirect_uris: ['https://indexer.example.com/publish'],
      scope: PUBLISH_SCOPE,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'web',
      dpop_bound_access_tokens: true,
    })
    const page = await (await fetch(`${url}/publish`)).text()
    expect(page).toContain('"clientId":"https://indexer.example.com/oauth/client-metadata.json"')
    expect(PUBLISH_SCOPE).toBe(`atproto repo:${ids.AiDonottrainDeclaration} repo:${bskyIds.profile}`)
  })

  it('has no metadata document without an https public URL (a loopback client is used)', async () => {
    const url = await serve({ publicUrl: 'http://localhost:2584' })
    const res = await fetch(`${url}/oauth/client-metadata.json`)
    expect(res.headers.get('x-fell-through')).toBe('1')
    expect(await (await fetch(`${url}/publish`)).text()).toContain('"clientId":null')
  })

  it('answers GET and HEAD only, passes other paths on, and says when the scripts are not built', async () => {
    const url = await serve({ assetsDir: join(tmpdir(), 'donottrain-no-such-assets') })
    expect((await fetch(`${url}/`, { method: 'POST' })).status).toBe(405)
    const head = await fetch(`${url}/`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect((await fetch(`${url}/xrpc/${ids.AiDonottrainGetStatus}`)).headers.get('x-fell-through')).toBe('1')
    const missing = await fetch(`${url}/assets/check.js`)
    expect(missing.status).toBe(503)
    expect(await missing.text()).toContain('build-web.mjs')
    expect((await fetch(`${url}/assets/..%2Fpackage.json`)).status).toBe(404)
    expect((await fetch(`${url}/assets/site.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8')
  })
})
