import type { Command } from 'commander'
import { type CliContext, type CommonOptions, jsonOption } from '../context.js'
import { CliError, EXIT, UsageError } from '../io.js'

type IndexerModule = typeof import('@donottrain/indexer')
type BackfillProgress = import('@donottrain/indexer').BackfillProgress

interface IndexOptions extends CommonOptions {
  backfill?: boolean
  once?: boolean
}

const NOT_INSTALLED =
  'the indexer is not installed. It is an optional part of the CLI: npm install -g @donottrain/indexer'

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('index')
    .description('run a #donottrain indexer: follow the firehose, store and serve every declaration')
    .option('--backfill', 'also find and fetch the declarations published before (resumes an interrupted backfill)')
    .option('--once', 'with --backfill: do the backfill, then exit instead of following the firehose')
  jsonOption(cmd)
  cmd.addHelpText(
    'after',
    `
Settings come from INDEXER_* environment variables (relay, database, port…): see the
@donottrain/indexer README. Stop with Ctrl-C; a restart resumes from the saved cursor, and an
interrupted backfill resumes where it stopped. The backfill finds declaration records and the
foreign lexicons through the relay; #donottrain posts and bios arrive from the firehose.

Examples:
  $ donottrain index
  $ donottrain index --backfill
  $ INDEXER_FIREHOSE_URL=https://pds.example.com donottrain index --backfill --once`,
  )
  cmd.action(async (opts: IndexOptions) => {
    if (opts.once && !opts.backfill) throw new UsageError('--once needs --backfill')
    const out = ctx.output(opts)
    const mod = await loadIndexer()
    const bar = !out.json && (ctx.io.stderr as { isTTY?: boolean }).isTTY === true && opts.backfill === true
    let cfg: ReturnType<IndexerModule['buildConfig']>
    try {
      const env = mod.readEnv(ctx.io.env as NodeJS.ProcessEnv)
      // A progress bar and JSON log lines do not mix: on a terminal only warnings are logged, unless asked.
      if (bar && env.INDEXER_LOG_LEVEL === undefined) env.INDEXER_LOG_LEVEL = 'warn'
      cfg = mod.buildConfig(env)
    } catch (err) {
      if (err instanceof mod.ConfigError) throw new UsageError(err.message)
      throw err
    }
    const progress = bar ? progressBar(ctx.io.stderr) : undefined
    const indexer = await mod.startIndexer(
      cfg,
      {},
      {
        backfill: opts.backfill === true,
        follow: opts.once !== true,
        ...(progress && { onBackfillProgress: progress.update }),
      },
    )
    const stopped = new Promise<NodeJS.Signals>((resolve) => {
      const onSignal = (signal: NodeJS.Signals) => {
        process.off('SIGINT', onSignal)
        process.off('SIGTERM', onSignal)
        resolve(signal)
      }
      process.on('SIGINT', onSignal)
      process.on('SIGTERM', onSignal)
    })
    out.note(`indexing on ${indexer.url} (Ctrl-C to stop)`)
    if (opts.once) await Promise.race([indexer.backfill?.done, stopped])
    else await stopped
    await indexer.stop()
    progress?.end()
    const summary = opts.backfill ? await indexer.backfill?.done : undefined
    if (summary) {
      const line = `backfill ${summary.completed ? 'complete' : 'stopped (run again to resume)'}: ${summary.found} repositories found, ${summary.done} fetched, ${summary.skipped} skipped, ${summary.failed} failed`
      out.result(line, summary)
      if (opts.once && !summary.completed) {
        throw new CliError('the backfill stopped before it completed; run it again to resume', EXIT.failure)
      }
    } else {
      out.result('indexer stopped', { stopped: true })
    }
  })
}

/** The indexer package, imported on demand (an optional peer dependency); a CliError when it is not installed. */
export async function loadIndexer(
  importer: () => Promise<IndexerModule> = () => import('@donottrain/indexer'),
): Promise<IndexerModule> {
  try {
    return await importer()
  } catch (err) {
    const e = err as { code?: string; message?: string }
    if (
      (e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND') &&
      e.message?.includes('@donottrain/indexer')
    ) {
      throw new CliError(NOT_INSTALLED)
    }
    throw err
  }
}

/** A one-line progress bar on a terminal, redrawn at most ten times a second. */
function progressBar(stream: { write(chunk: string): unknown }) {
  let last = 0
  let shown: BackfillProgress | undefined
  const draw = (p: BackfillProgress) => {
    const total = p.done + p.skipped + p.failed + p.remaining
    const finished = total - p.remaining
    const width = 30
    const filled = total === 0 ? 0 : Math.round((finished / total) * width)
    const head =
      p.phase === 'listing'
        ? `listing repositories… ${p.found} found`
        : `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${finished}/${total}`
    stream.write(`\r\x1b[2K${head}  fetched ${p.done} · skipped ${p.skipped} · failed ${p.failed}`)
  }
  return {
    update(p: BackfillProgress) {
      shown = p
      const now = Date.now()
      if (now - last < 100 && p.phase !== 'done' && p.phase !== 'stopped') return
      last = now
      draw(p)
    },
    end() {
      if (shown) draw(shown)
      stream.write('\n')
    },
  }
}
