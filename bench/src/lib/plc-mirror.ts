import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface PlcMirror {
  /** `http://127.0.0.1:<port>`: use it as the PLC directory URL. */
  url: string
  /** Lookups answered so far. */
  readonly lookups: number
  close(): Promise<void>
}

/**
 * Copies the DID documents of `dids` from a PLC directory and serves them from memory on
 * 127.0.0.1 (`GET /<did>`), as an operator's local PLC mirror would. The dev-env directory
 * answers in ~20 ms per lookup, which would otherwise dominate every cold DID cache miss.
 */
export async function startPlcMirror(plcUrl: string, dids: readonly string[]): Promise<PlcMirror> {
  const docs = new Map<string, string>()
  let next = 0
  const copy = async () => {
    while (next < dids.length) {
      const did = dids[next++] as string
      const res = await fetch(`${plcUrl.replace(/\/$/, '')}/${encodeURIComponent(did)}`)
      if (!res.ok) throw new Error(`plc lookup failed did=${did} status=${res.status}`)
      docs.set(did, await res.text())
    }
  }
  await Promise.all(Array.from({ length: 16 }, copy))
  let lookups = 0
  const server = createServer((req, res) => {
    lookups++
    const doc = docs.get(decodeURIComponent((req.url ?? '/').slice(1)))
    if (req.method !== 'GET' || doc === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"DID not registered"}')
      return
    }
    res.writeHead(200, { 'content-type': 'application/did+ld+json' }).end(doc)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get lookups() {
      return lookups
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((err) => (err ? reject(err) : resolve()))
      }),
  }
}
