import { resolve } from 'node:path'
import type { Command } from 'commander'
import { type CliContext, type CommonOptions, jsonOption } from '../context.js'
import { CliError, UsageError } from '../io.js'
import { loadIndexer } from './index-cmd.js'

interface SnapshotOptions extends CommonOptions {
  out: string
}

export const DEFAULT_SNAPSHOT_FILE = 'donottrain-snapshot.bin'

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('snapshot')
    .description("write a signed snapshot of every current declaration of an indexer's database, bound to a checkpoint")
    .option(
      '--out <file>',
      'the data file (binary snapshot format); the signed manifest goes beside it as <file>.manifest',
      DEFAULT_SNAPSHOT_FILE,
    )
  jsonOption(cmd)
  cmd.addHelpText(
    'after',
    `
Reads the database and signing key of the indexer configured by INDEXER_* environment variables
(as \`donottrain index\`), in one read transaction, while the indexer may keep running. The
manifest is a C2SP signed note by the log's key binding the data's SHA-256 to a signed checkpoint;
crawlers load it with SnapshotChecker.open() of @donottrain/verifier and check subjects offline.

Examples:
  $ donottrain snapshot
  $ INDEXER_DB_URL=postgres://localhost/donottrain donottrain snapshot --out /srv/snapshots/latest.bin --json`,
  )
  cmd.action(async (opts: SnapshotOptions) => {
    const out = ctx.output(opts)
    const mod = await loadIndexer()
    let cfg: ReturnType<typeof mod.buildConfig>
    try {
      cfg = mod.buildConfig(mod.readEnv(ctx.io.env as NodeJS.ProcessEnv))
    } catch (err) {
      if (err instanceof mod.ConfigError) throw new UsageError(err.message)
      throw err
    }
    try {
      const summary = await mod.snapshotFromConfig(cfg, { out: resolve(opts.out) })
      out.result(
        [
          `snapshot of ${summary.count} declarations at tree size ${summary.size} (${summary.origin})`,
          `  data:     ${summary.data} (${summary.dataBytes} bytes, sha256 ${summary.dataSha256})`,
          `  manifest: ${summary.manifest}`,
        ],
        summary,
      )
    } catch (err) {
      if (err instanceof mod.SnapshotWriteError) throw new CliError(err.message, undefined, err.code)
      throw err
    }
  })
}
