import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { buildConfig, type Indexer, type IndexerEnv, type IndexerOverrides, startIndexer } from '@donottrain/indexer'

export interface TestIndexer extends Indexer {
  /** Temp directory holding the SQLite file; removed by close(). */
  dir: string
  dbPath: string
  /** The service signing key file (generated on start, in the temp directory). */
  keyFile: string
  /** Stops the indexer and removes its temp directory. */
  close(): Promise<void>
}

/** The env of an indexer that follows `firehoseUrl`, resolves DIDs on `plcUrl`, and may use loopback. */
export function testIndexerEnv(
  net: { plcUrl: string },
  firehoseUrl: string,
  dbPath: string,
  extra: IndexerEnv = {},
): IndexerEnv {
  return {
    INDEXER_FIREHOSE_URL: firehoseUrl,
    INDEXER_DB_URL: `sqlite:${dbPath}`,
    INDEXER_KEY_FILE: join(dirname(dbPath), 'signing-key'),
    INDEXER_HOST: '127.0.0.1',
    INDEXER_PORT: '0',
    INDEXER_PLC_URL: net.plcUrl,
    INDEXER_ALLOW_LOOPBACK: 'true',
    INDEXER_LOG_LEVEL: process.env.DEBUG_INDEXER ? 'debug' : 'silent',
    ...extra,
  }
}

/**
 * Starts an in-process indexer on a fresh temp SQLite file, following `firehoseUrl`
 * (by default the local PDS's own firehose).
 */
export async function startTestIndexer(
  net: { plcUrl: string; pdsUrl?: string },
  opts: { firehoseUrl?: string; env?: IndexerEnv; overrides?: IndexerOverrides } = {},
): Promise<TestIndexer> {
  const firehoseUrl = opts.firehoseUrl ?? net.pdsUrl
  if (!firehoseUrl) throw new Error('startTestIndexer needs a firehoseUrl or a network with a pdsUrl')
  const dir = mkdtempSync(join(tmpdir(), 'donottrain-idx-'))
  const dbPath = join(dir, 'indexer.sqlite')
  let indexer: Indexer
  try {
    indexer = await startIndexer(buildConfig(testIndexerEnv(net, firehoseUrl, dbPath, opts.env)), opts.overrides)
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
  const close = async () => {
    await indexer.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  return Object.assign(indexer, { dir, dbPath, keyFile: join(dir, 'signing-key'), close })
}
