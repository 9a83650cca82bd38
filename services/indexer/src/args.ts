import type { StartOptions } from './index.js'

export const USAGE = `usage: donottrain-indexer [--backfill] [--once]
  --backfill  also find and fetch the declarations published before this indexer ran
              (resumes an interrupted backfill)
  --once      with --backfill: do the backfill, then exit (without following the firehose)
settings: INDEXER_* environment variables (see .env.example)
`

/** The command line: --backfill and --once, or a usage error. */
export function parseArgs(argv: readonly string[]): StartOptions | string {
  const opts: StartOptions = {}
  for (const arg of argv) {
    if (arg === '--backfill') opts.backfill = true
    else if (arg === '--once') opts.follow = false
    else return `unknown argument: ${arg}`
  }
  if (opts.follow === false && !opts.backfill) return '--once needs --backfill'
  return opts
}
