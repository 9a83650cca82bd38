import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { isValidDid } from '@donottrain/lexicon'
import { type MonitorReport, type MonitorState, parseMonitorState, runMonitor } from '@donottrain/verifier'
import { type Command, InvalidArgumentError, Option } from 'commander'
import { type CliContext, type CommonOptions, jsonOption } from '../context.js'
import { CliError, EXIT, UsageError } from '../io.js'

interface MonitorCmdOptions extends CommonOptions {
  indexer: string
  did?: string
  state?: string
  once?: boolean
  interval: number
  compare?: string
}

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('monitor')
    .description(
      "watch an indexer's transparency log: signed, append-only, the same for everyone, holding your declarations",
    )
    .addOption(new Option('--indexer <url>', 'the indexer to watch').argParser(httpUrl).makeOptionMandatory())
    .option('--did <did>', "also check that this account's current declarations are in the log")
    .option('--state <file>', 'where the last checkpoint seen is kept (default: <config dir>/monitor/<host>.json)')
    .option('--once', 'check once and exit (default: check every --interval seconds until Ctrl-C)')
    .addOption(new Option('--interval <seconds>', 'seconds between checks').argParser(seconds).default(300))
    .addOption(
      new Option('--compare <url>', 'a second vantage point on the same log (split-view check)').argParser(httpUrl),
    )
  jsonOption(cmd)
  cmd.addHelpText(
    'after',
    `
Each check verifies the newest checkpoint with the key of the indexer's /.well-known/did.json,
proves it extends the last one seen (kept in the state file), and with --did proves that each
current declaration of the account has its leaf in the log.
Exit code 0 when every check passed, 3 on a violation (bad signature, changed key, rolled-back or
forked tree, missing leaf, split view: the report says which), 1 when the indexer could not be asked.

Examples:
  $ donottrain monitor --indexer https://indexer.donottrain.ai --once
  $ donottrain monitor --indexer https://indexer.donottrain.ai --did did:plc:ewvi7nxzyoun6zhxrhs64oiz
  $ donottrain monitor --indexer https://indexer.donottrain.ai --compare https://mirror.example/indexer --json`,
  )
  cmd.action(async (opts: MonitorCmdOptions) => {
    if (opts.did !== undefined && !isValidDid(opts.did)) throw new UsageError(`--did is not a DID did=${opts.did}`)
    const out = ctx.output(opts)
    const statePath =
      opts.state ?? join(ctx.config.configDir, 'monitor', `${safeName(new URL(opts.indexer).host)}.json`)
    const stopped = stopSignal()
    try {
      for (;;) {
        const previous = await readState(statePath)
        const run = await runMonitor({
          indexerUrl: opts.indexer,
          ...(previous && { previous }),
          ...(opts.did !== undefined && { did: opts.did }),
          ...(opts.compare !== undefined && { compareUrl: opts.compare }),
        })
        if (!run.ok) {
          if (opts.once) throw new CliError(`cannot monitor: ${run.error.message}`, EXIT.failure, run.error.code)
          out.note(`cannot monitor now (${run.error.code}): ${run.error.message}`)
        } else {
          const report = run.value
          out.result(humanReport(report), jsonReport(report))
          if (!report.ok) {
            ctx.exitCode = EXIT.denied
            return
          }
          if (report.state) await writeState(statePath, report.state)
        }
        if (opts.once || (await stopped.sleep(opts.interval * 1000))) return
      }
    } finally {
      stopped.dispose()
    }
  })
}

function humanReport(r: MonitorReport): string[] {
  const lines: string[] = []
  if (r.checkpoint) {
    const grew = r.previous ? ` (was ${r.previous.size})` : ' (first seen)'
    lines.push(`${r.checkpoint.origin}: ${r.checkpoint.size} leaves${grew}, root ${r.checkpoint.rootHash}`)
  }
  if (r.compare) lines.push(`  ${r.compare.indexer} sees ${r.compare.size} leaves, root ${r.compare.rootHash}`)
  for (const inc of r.included) lines.push(`  included: ${inc.uri} (leaf ${inc.leafIndex})`)
  for (const uri of r.pending) lines.push(`  pending (newer than the checkpoint): ${uri}`)
  for (const v of r.violations) lines.push(`VIOLATION ${v.code}: ${v.message}`)
  lines.push(r.ok ? 'ok: the log is consistent' : `the log misbehaved: ${r.violations.length} violation(s)`)
  return lines
}

function jsonReport(r: MonitorReport) {
  return {
    indexer: r.indexer,
    ok: r.ok,
    ...(r.checkpoint && { checkpoint: r.checkpoint }),
    ...(r.previous && { previous: r.previous }),
    ...(r.compare && { compare: r.compare }),
    included: r.included,
    pending: r.pending,
    violations: r.violations.map((v) => ({ code: v.code, message: v.message, ...v.details })),
  }
}

async function readState(path: string): Promise<MonitorState | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new CliError(`cannot read the monitor state path=${path}: ${(err as Error).message}`)
  }
  const state = parseMonitorState(text)
  if (!state.ok) throw new CliError(`${state.error.message} path=${path}`)
  return state.value
}

async function writeState(path: string, state: MonitorState): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 })
  await rename(tmp, path)
}

/** Sleeps, or returns true at once on SIGINT/SIGTERM. */
function stopSignal() {
  let stop = false
  let wake: (() => void) | undefined
  const onSignal = () => {
    stop = true
    wake?.()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return {
    sleep(ms: number): Promise<boolean> {
      if (stop) return Promise.resolve(true)
      return new Promise((resolveSleep) => {
        const timer = setTimeout(() => resolveSleep(stop), ms)
        wake = () => {
          clearTimeout(timer)
          resolveSleep(true)
        }
      })
    },
    dispose() {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    },
  }
}

const safeName = (host: string) => host.replace(/[^a-zA-Z0-9.-]/g, '_')

function httpUrl(value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new InvalidArgumentError('not a URL')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidArgumentError('must be http(s)')
  return url.toString().replace(/\/$/, '')
}

function seconds(value: string): number {
  const n = Number(value)
  if (!Number.isFinite(n) || n < 1 || n > 86_400) throw new InvalidArgumentError('must be 1 to 86400 seconds')
  return n
}
