#!/usr/bin/env node
// bench/api: the indexer's read API under load, next to a bare node:http server in the same run.
//   node bench/dist/api/run.js [--quick] [--accounts N] [--duration S] [--runs N]
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ids } from '@donottrain/lexicon'
import { readArgs } from '../lib/args.js'
import { machineLine } from '../lib/machine.js'
import { fmt, median } from '../lib/stats.js'
import { table } from '../lib/table.js'
import { didOf, seedStore, storeFile } from './seed.js'

type Result = { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number }
type Autocannon = (opts: Record<string, unknown>) => Promise<Result>
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon

const args = readArgs(
  {
    accounts: { default: 500_000, quick: 20_000, help: 'accounts in the store (2 declarations each)' },
    duration: { default: 10, quick: 3, help: 'seconds per measurement' },
    runs: { default: 3, quick: 1, help: 'measurements per figure (median reported)' },
    connections: { default: 32, quick: 16, help: 'concurrent connections for the requests/s figures' },
    warmup: {
      default: 10,
      quick: 3,
      help: 'seconds of getStatus load before measuring (the API loads its proof tree)',
    },
  },
  'bench/api: getStatus and checkSubjects(1000) vs a bare node:http server',
)

async function startChild(mode: 'bare' | 'indexer', db = '', key = ''): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'server-child.js'), mode, db, key], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const port = await new Promise<number>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /port (\d+)/.exec(out)
      if (m) resolve(Number(m[1]))
    })
    child.once('exit', (code) => reject(new Error(`${mode} server exited code=${code}`)))
  })
  return { port, child }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}

async function measure(opts: Record<string, unknown>): Promise<Result> {
  const result = await autocannon({ duration: args?.duration, ...opts })
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`load run had failures non2xx=${result.non2xx} errors=${result.errors}`)
  }
  return result
}

async function main() {
  if (!args) return
  const accounts = args.accounts
  const dir = join(tmpdir(), 'donottrain-bench-api')
  mkdirSync(dir, { recursive: true })
  const dbPath = storeFile(dir, accounts)
  const started = Date.now()
  const how = await seedStore(dbPath, accounts, 2)
  process.stdout.write(
    `store: ${dbPath} (${how}, ${accounts * 2} declarations, ${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
  )
  process.stdout.write(`${machineLine()}\n`)

  const rnd = () => Math.floor(Math.random() * accounts)
  const statusPath = () =>
    `/xrpc/${ids.AiDonottrainGetStatus}?subject=${encodeURIComponent(`at://${didOf(rnd())}/app.bsky.feed.post/3l3qo2vutsaab`)}`
  const batchBody = () => JSON.stringify({ subjects: Array.from({ length: 1000 }, () => didOf(rnd())) })

  const bare = await startChild('bare')
  const indexer = await startChild('indexer', dbPath, join(dir, 'signing-key'))
  const figures = { bare: [] as number[], status: [] as number[], statusP50: [] as number[], statusP99: [] as number[] }
  const statusLoad = {
    url: `http://127.0.0.1:${indexer.port}`,
    connections: args.connections,
    requests: [{ method: 'GET', setupRequest: (req: Record<string, unknown>) => ({ ...req, path: statusPath() }) }],
  }
  const batch = { rps: [] as number[], p50: [] as number[], p99: [] as number[] }
  try {
    // Unmeasured: the indexer fills its in-memory proof tree from the store after its first
    // proof request (about a second of reads per million leaves); the figures are the steady state.
    await measure({ ...statusLoad, duration: args.warmup })
    for (let run = 0; run < args.runs; run++) {
      const b = await measure({ url: `http://127.0.0.1:${bare.port}/`, connections: args.connections })
      figures.bare.push(b.requests.average)
      const s = await measure(statusLoad)
      figures.status.push(s.requests.average)
      figures.statusP50.push(s.latency.p50)
      figures.statusP99.push(s.latency.p99)
      const c = await measure({
        url: `http://127.0.0.1:${indexer.port}`,
        connections: 1,
        requests: [
          {
            method: 'POST',
            path: `/xrpc/${ids.AiDonottrainCheckSubjects}`,
            headers: { 'content-type': 'application/json' },
            setupRequest: (req: Record<string, unknown>) => ({ ...req, body: batchBody() }),
          },
        ],
      })
      batch.rps.push(c.requests.average)
      batch.p50.push(c.latency.p50)
      batch.p99.push(c.latency.p99)
    }
  } finally {
    await stop(indexer.child)
    await stop(bare.child)
  }
  const ratio = median(figures.status) / median(figures.bare)
  process.stdout.write(
    `\n${table(
      ['figure (median of runs)', 'value'],
      [
        ['bare node:http hello world, req/s', fmt(median(figures.bare))],
        ['getStatus (record subject), req/s', fmt(median(figures.status))],
        ['getStatus / bare', `${(ratio * 100).toFixed(1)}%`],
        ['getStatus p50 / p99, ms', `${fmt(median(figures.statusP50))} / ${fmt(median(figures.statusP99))}`],
        ['checkSubjects(1000), batches/s (1 connection)', fmt(median(batch.rps))],
        ['checkSubjects(1000) p50 / p99, ms', `${fmt(median(batch.p50))} / ${fmt(median(batch.p99))}`],
      ],
    )}\n`,
  )
  process.stdout.write(
    `\ntargets: getStatus ≥ 50% of bare: ${ratio >= 0.5 ? 'met' : 'NOT met'}; ` +
      `checkSubjects(1000) p99 < 50 ms: ${median(batch.p99) < 50 ? 'met' : 'NOT met'}\n`,
  )
}

main().catch((err) => {
  process.stderr.write(`bench/api failed: ${(err as Error).stack ?? err}\n`)
  process.exitCode = 1
})
