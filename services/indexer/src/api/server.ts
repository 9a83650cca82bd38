import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import type { Metrics } from '../metrics.js'

export interface HttpDeps {
  metrics: Metrics
  log: Logger
  /** Health: resolves when the store answers. */
  checkDb(): Promise<void>
  /** Further routes (the XRPC API); return false when the request is not theirs. */
  routes?: Array<(req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>>
}

/** The indexer's HTTP server: /_health, /metrics, and the API routes. */
export function createHttpServer(deps: HttpDeps): Server {
  // Headers (the URL included) up to 160 KiB reach the handlers, so an oversized query parameter
  // gets the API's named 400 instead of a bare 431; larger requests are still refused by Node.
  const routes = deps.routes ?? []
  return createServer({ maxHeaderSize: 160 * 1024 }, async (req, res) => {
    // The per-request log line costs a listener and a closure: only when it is written.
    if (deps.log.isLevelEnabled('debug')) {
      const started = Date.now()
      res.on('finish', () => {
        deps.log.debug(
          { method: req.method, path: req.url?.split('?')[0], status: res.statusCode, ms: Date.now() - started },
          'request',
        )
      })
    }
    try {
      const url = req.url ?? '/'
      const q = url.indexOf('?')
      const path = q < 0 ? url : url.slice(0, q)
      if (path === '/_health') {
        try {
          await deps.checkDb()
          return json(res, 200, { status: 'ok' })
        } catch {
          return json(res, 503, { status: 'unavailable', error: 'database unreachable' })
        }
      }
      if (path === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
        return res.end(deps.metrics.render())
      }
      for (const route of routes) {
        // Most routes answer synchronously whether a request is theirs: await only promises.
        const mine = route(req, res)
        if (mine === true || (mine !== false && (await mine))) return
      }
      json(res, 404, { error: 'NotFound', message: 'not found' })
    } catch (err) {
      deps.log.error({ err }, 'request failed')
      if (!res.headersSent) json(res, 500, { error: 'InternalServerError', message: 'internal error' })
      else res.destroy()
    }
  })
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  })
  res.end(text)
}

export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve((server.address() as AddressInfo).port)
    })
  })
}
