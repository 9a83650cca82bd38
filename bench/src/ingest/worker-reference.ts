import { IdResolver, MemoryCache } from '@atproto/identity'
import { Firehose, type FirehoseOptions, FirehoseParseError } from '@atproto/sync'
import type { WorkerTask } from './protocol.js'
import { Clock, progress, readTask, runMain, send, stopRequested } from './worker-common.js'

/** @atproto/sync's Firehose verifying every commit (signature + MST proofs of each op), handler a no-op. */
async function main(): Promise<void> {
  const task = readTask<Extract<WorkerTask, { kind: 'reference' }>>()
  const clock = new Clock(task.lastSeq)
  const rejections: Record<string, number> = {}
  const commits = new Set<number>()
  const idResolver = new IdResolver({ plcUrl: task.plcUrl, didCache: new MemoryCache() })
  // @atproto/ws-client (under the Firehose) pings every 10 s and drops the socket when no pong was
  // read; while verification lags, the socket is paused and pongs are not read, so it reconnects —
  // without a cursor, as the `getCursor` option of @atproto/sync 0.1.40 passes the function itself
  // as the cursor and the subscription fails. A long heartbeat keeps one connection (as the indexer has).
  const opts: FirehoseOptions & { heartbeatIntervalMs: number } = {
    heartbeatIntervalMs: 3600_000,
    idResolver,
    service: task.firehoseUrl,
    unauthenticatedCommits: false,
    unauthenticatedHandles: true,
    handleEvent: (evt) => {
      if (evt.event === 'create' || evt.event === 'update' || evt.event === 'delete') commits.add(evt.seq)
      clock.handled(evt.seq)
    },
    onError: (err) => {
      const name = err.cause instanceof Error ? `${err.name}: ${err.cause.message}` : err.name
      rejections[name] = (rejections[name] ?? 0) + 1
      const seq = err instanceof FirehoseParseError && 'seq' in err.event ? err.event.seq : undefined
      if (typeof seq === 'number') clock.handled(seq)
    },
  }
  const firehose = new Firehose(opts)
  const running = firehose.start()
  send({ type: 'ready' })
  const timer = progress(clock, task.progressMs)
  await clock.finished
  const span = clock.span()
  clearInterval(timer)
  send({
    type: 'done',
    ...span,
    firstSeq: clock.firstSeq,
    lastSeq: clock.seq,
    gaps: clock.gaps,
    validated: commits.size,
    rejections,
  })
  await stopRequested
  await firehose.destroy()
  await running
}

runMain(main)
