import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildConfig, type Indexer, openDb, Store, startIndexer } from '@donottrain/indexer'
import type { RepoHead } from '../lib/firehose.js'
import type { WorkerTask } from './protocol.js'
import { Clock, progress, readTask, runMain, send, stopRequested } from './worker-common.js'

type IndexerEvent = Parameters<Indexer['ingester']['handle']>[0]

async function seedTracked(path: string, seedFile: string): Promise<void> {
  const heads = JSON.parse(readFileSync(seedFile, 'utf8')) as RepoHead[]
  const db = openDb({ dialect: 'sqlite', path })
  try {
    await db.migrateToLatest()
    const store = new Store(db)
    for (const h of heads) {
      await store.applyCommit({
        did: h.did,
        rev: h.rev,
        dataCid: h.data,
        commitCid: h.commit,
        changes: [],
        track: true,
      })
    }
  } finally {
    await db.close()
  }
}

/** The indexer exactly as `startIndexer` runs it; only `ingester.handle` is wrapped to see each event end. */
async function main(): Promise<void> {
  const task = readTask<Extract<WorkerTask, { kind: 'indexer' }>>()
  const dbPath = join(task.dir, 'indexer.sqlite')
  if (task.seedFile) await seedTracked(dbPath, task.seedFile)
  const cfg = buildConfig({
    INDEXER_FIREHOSE_URL: task.firehoseUrl,
    INDEXER_DB_URL: `sqlite:${dbPath}`,
    INDEXER_HOST: '127.0.0.1',
    INDEXER_PORT: '0',
    INDEXER_PLC_URL: task.plcUrl,
    INDEXER_ALLOW_LOOPBACK: 'true',
    INDEXER_LOG_LEVEL: 'silent',
    INDEXER_KEY_FILE: join(task.dir, 'signing-key'),
  })
  const indexer = await startIndexer(cfg)
  const clock = new Clock(task.lastSeq)
  const { ingester, metrics, store } = indexer
  const handle = ingester.handle.bind(ingester)
  ingester.handle = async (event: IndexerEvent) => {
    await handle(event)
    if ('seq' in event && typeof event.seq === 'number') clock.handled(event.seq)
  }
  send({ type: 'ready' })
  const timer = progress(clock, task.progressMs)
  await clock.finished
  const span = clock.span()
  clearInterval(timer)
  await ingester.flush()
  const durableCursor = await store.getCursor(cfg.firehoseUrl)
  send({
    type: 'done',
    ...span,
    firstSeq: clock.firstSeq,
    lastSeq: clock.seq,
    gaps: clock.gaps,
    ...(durableCursor === undefined ? {} : { durableCursor }),
    validated: metrics.total('donottrain_commits_validated_total'),
    rejections: labelled(metrics.render(), 'donottrain_rejections_total', 'reason'),
    changes: metrics.total('donottrain_changes_total'),
  })
  await stopRequested
  await indexer.stop()
}

/** Counter values by one label, read from the Prometheus text the indexer serves at /metrics. */
function labelled(text: string, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {}
  const re = new RegExp(`^${name}\\{[^}]*${label}="([^"]*)"[^}]*\\} (\\d+)$`, 'gm')
  for (const m of text.matchAll(re)) out[m[1] as string] = Number(m[2])
  return out
}

runMain(main)
