// A server process for bench/api: `bare` (a node:http hello world, the baseline) or `indexer`
// (the real indexer API over a prepared SQLite store). Prints `port <n>` when listening.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { buildConfig, startIndexer } from '@donottrain/indexer'

const [mode, dbPath, keyFile] = process.argv.slice(2)

if (mode === 'bare') {
  const body = JSON.stringify({ hello: 'world' })
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
    res.end(body)
  })
  server.listen(0, '127.0.0.1', () => process.stdout.write(`port ${(server.address() as AddressInfo).port}\n`))
} else if (mode === 'indexer' && dbPath && keyFile) {
  const indexer = await startIndexer(
    buildConfig({
      // Nothing listens there: the subscription backs off quietly while the API is measured.
      INDEXER_FIREHOSE_URL: 'ws://127.0.0.1:9',
      INDEXER_DB_URL: `sqlite:${dbPath}`,
      INDEXER_KEY_FILE: keyFile,
      INDEXER_HOST: '127.0.0.1',
      INDEXER_PORT: '0',
      INDEXER_LOG_LEVEL: 'silent',
      INDEXER_RATE_LIMIT_PER_MINUTE: '0',
    }),
  )
  process.stdout.write(`port ${indexer.port}\n`)
  process.on('SIGTERM', () => void indexer.stop())
} else {
  process.stderr.write('usage: server-child.js bare | indexer <db> <keyfile>\n')
  process.exitCode = 2
}
