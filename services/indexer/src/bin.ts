#!/usr/bin/env node
import { parseArgs, USAGE } from './args.js'
import { ConfigError, configFromEnv, type Indexer, startIndexer } from './index.js'

// The runtime wrapper: arguments, signals and exit codes only. Everything else is in startIndexer().
async function main() {
  const args = parseArgs(process.argv.slice(2))
  if (typeof args === 'string') {
    process.stderr.write(`donottrain indexer: ${args}\n${USAGE}`)
    process.exitCode = 2
    return
  }
  let cfg: ReturnType<typeof configFromEnv>
  try {
    cfg = configFromEnv()
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`donottrain indexer: ${err.message}\n`)
      process.exitCode = 2
      return
    }
    throw err
  }
  const indexer = await startIndexer(cfg, {}, args)
  let signals = 0
  const shutdown = (code: number) =>
    indexer.stop().then(
      () => {
        process.exitCode = code
      },
      (err) => {
        process.stderr.write(`donottrain indexer: shutdown failed: ${(err as Error).message}\n`)
        process.exitCode = 1
      },
    )
  const onSignal = (signal: NodeJS.Signals) => {
    signals++
    if (signals > 1) {
      process.stderr.write(`donottrain indexer: ${signal} again; still shutting down\n`)
      return
    }
    void shutdown(0)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  if (args.follow === false) await exitAfterBackfill(indexer, shutdown)
}

/** --once: stop when the backfill has finished; exit 0 when it completed, 1 when it stopped short. */
async function exitAfterBackfill(indexer: Indexer, shutdown: (code: number) => Promise<void>) {
  const summary = await indexer.backfill?.done
  await shutdown(summary?.completed ? 0 : 1)
}

main().catch((err) => {
  process.stderr.write(`donottrain indexer: ${(err as Error).stack ?? err}\n`)
  process.exitCode = 1
})
