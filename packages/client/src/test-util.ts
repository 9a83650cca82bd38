// Helpers for this package's tests (excluded from the build). They read the PDS with plain
// HTTP, bypassing @atproto/api and the client, so a test sees exactly what was stored.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ids } from '@donottrain/lexicon'

export interface RawRecord {
  uri: string
  cid: string
  value: Record<string, unknown>
}

/** com.atproto.repo.getRecord over plain fetch; undefined when the record does not exist. */
export async function rawGetRecord(
  pdsUrl: string,
  repo: string,
  collection: string,
  rkey: string,
): Promise<RawRecord | undefined> {
  const url = new URL('/xrpc/com.atproto.repo.getRecord', pdsUrl)
  url.search = new URLSearchParams({ repo, collection, rkey }).toString()
  const res = await fetch(url)
  if (res.status === 400) {
    const body = (await res.json()) as { error?: string }
    if (body.error === 'RecordNotFound') return undefined
    throw new Error(`getRecord failed error=${body.error}`)
  }
  if (!res.ok) throw new Error(`getRecord failed status=${res.status}`)
  return (await res.json()) as RawRecord
}

/** Every record of a collection (one page is plenty in tests). */
export async function rawListRecords(
  pdsUrl: string,
  repo: string,
  collection: string = ids.AiDonottrainDeclaration,
): Promise<RawRecord[]> {
  const url = new URL('/xrpc/com.atproto.repo.listRecords', pdsUrl)
  url.search = new URLSearchParams({ repo, collection, limit: '100' }).toString()
  const res = await fetch(url)
  if (!res.ok) throw new Error(`listRecords failed status=${res.status}`)
  return ((await res.json()) as { records: RawRecord[] }).records
}

/** The repository's head commit: unchanged head = nothing was written. */
export async function headCommit(pdsUrl: string, did: string): Promise<string> {
  const url = new URL('/xrpc/com.atproto.sync.getLatestCommit', pdsUrl)
  url.search = new URLSearchParams({ did }).toString()
  const res = await fetch(url)
  if (!res.ok) throw new Error(`getLatestCommit failed status=${res.status}`)
  return ((await res.json()) as { cid: string }).cid
}

export interface TestHttpServer {
  url: string
  port: number
  requests: string[]
  close(): Promise<void>
}

/** A real HTTP server on a free loopback port. */
export async function startHttpServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<TestHttpServer> {
  const requests: string[] = []
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`)
    handler(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((err) => (err ? reject(err) : resolve()))
      }),
  }
}

/** A fetch that sends requests for `https://<host>` to a local http server instead. */
export function routeHostTo(host: string, target: string): typeof globalThis.fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input.toString())
    if (url.protocol === 'https:' && url.hostname === host) {
      return fetch(new URL(url.pathname + url.search, target), init)
    }
    return fetch(input, init)
  }
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const srv = await startHttpServer(() => {})
  await srv.close()
  return srv.port
}
