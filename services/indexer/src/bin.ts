#!/usr/bin/env node
import { ConfigError, configFromEnv, startIndexer } from './index.js'

// The runtime wrapper: signals and exit codes only. Everything else is in startIndexer().
async function main() {
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
  const indexer = await startIndexer(cfg)
  let signals = 0
  const onSignal = (signal: NodeJS.Signals) => {
    signals++
    if (signals > 1) {
      process.stderr.write(`donottrain indexer: ${signal} again; still shutting down\n`)
      return
    }
    indexer.stop().then(
      () => {
        process.exitCode = 0
      },
      (err) => {
        process.stderr.write(`donottrain indexer: shutdown failed: ${(err as Error).message}\n`)
        process.exitCode = 1
      },
    )
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
}

main().catch((err) => {
  process.stderr.write(`donottrain indexer: ${(err as Error).stack ?? err}\n`)
  process.exitCode = 1
})
