import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type FrameServer, startFrameServer } from '@donottrain/test'
import { readArgs } from '../lib/args.js'
import { buildFirehoseFixture, type FirehoseFixture } from '../lib/firehose.js'
import { machineLine } from '../lib/machine.js'
import { type PlcMirror, startPlcMirror } from '../lib/plc-mirror.js'
import { fmt, fmtPct, median } from '../lib/stats.js'
import { runWorker } from './child.js'
import type { WorkerTask } from './protocol.js'
import {
  CONSUMERS,
  type Consumer,
  longSummary,
  type RunResult,
  runsTable,
  sameRunRatios,
  summaryTable,
} from './report.js'

const USAGE = `bench/ingest — indexer vs @atproto/sync Firehose on the same signed #commit frames

  npm run bench:ingest -w bench -- [options]      (or: node bench/dist/ingest/run.js [options])`

const TARGET_RATIO = 20
const TARGET_RATE = 4000
const TARGET_RSS_GROWTH = 0.1

const log = (line: string) => process.stderr.write(`${line}\n`)

async function timeConsumer(
  fx: FirehoseFixture,
  plc: PlcMirror,
  consumer: Consumer,
  seedFile: string,
): Promise<Omit<RunResult, 'run' | 'consumer'>> {
  const lastSeq = fx.info.at(-1)?.seq ?? 0
  // Frames are pushed once the worker is ready, so no frame is handled before it watches.
  const server = await startFrameServer()
  const dir = mkdtempSync(join(tmpdir(), 'donottrain-bench-'))
  try {
    const task: WorkerTask =
      consumer === 'reference'
        ? { kind: 'reference', firehoseUrl: server.url, plcUrl: plc.url, lastSeq }
        : {
            kind: 'indexer',
            firehoseUrl: server.url,
            plcUrl: plc.url,
            dir,
            lastSeq,
            ...(consumer === 'indexer-all' ? { seedFile } : {}),
          }
    const worker = await runWorker(task, { sampleMs: 200, timeoutMs: 30 * 60_000, onReady: () => push(server, fx) })
    const { frames, ms, cpuMs } = worker.done
    return { worker, rate: (frames / ms) * 1000, cpuRate: (frames / cpuMs) * 1000, connections: server.connections }
  } finally {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Hands every frame to the server at once (clients are woken only after this returns). */
function push(server: FrameServer, fx: FirehoseFixture): void {
  for (const frame of fx.frames) server.pushFrame(frame)
}

async function longRun(fx: FirehoseFixture, plc: PlcMirror, total: number) {
  const server = await startFrameServer({ loop: true })
  const dir = mkdtempSync(join(tmpdir(), 'donottrain-bench-'))
  let lastLog = 0
  try {
    const task: WorkerTask = {
      kind: 'indexer',
      firehoseUrl: server.url,
      plcUrl: plc.url,
      dir,
      lastSeq: total,
      progressMs: 1000,
    }
    const worker = await runWorker(task, {
      sampleMs: 1000,
      timeoutMs: 6 * 3600_000,
      onReady: () => push(server, fx),
      onProgress: (seq) => {
        if (seq - lastLog >= 100_000) {
          lastLog = seq
          log(`  long run: ${seq.toLocaleString('en-US')} frames`)
        }
      },
    })
    return { worker, connections: server.connections }
  } finally {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function main() {
  const args = readArgs(
    {
      frames: { default: 10_000, quick: 2000, help: 'signed #commit frames replayed per run' },
      accounts: { default: 1000, quick: 200, help: 'accounts (DIDs in the local PLC) the frames are spread over' },
      runs: { default: 3, quick: 1, help: 'timed runs; each times every consumer once, in rotating order' },
      long: { default: 1_000_000, quick: 100_000, help: 'frames of the looping RSS run (0: skip)' },
      seed: { default: 1, quick: 1, help: 'seed of the stream shape' },
      declarations: {
        default: 0.01,
        quick: 0.01,
        help: 'share of ops writing a declaration (#donottrain posts: half)',
      },
      consumers: {
        default: 'reference,indexer,indexer-all',
        quick: 'reference,indexer,indexer-all',
        help: 'which to time',
      },
    },
    USAGE,
  )
  if (!args) return
  const machine = machineLine()
  log(`bench/ingest · ${machine}`)
  log(`generating ${args.frames} frames over ${args.accounts} accounts (local PLC, @atproto/repo)…`)
  const t0 = performance.now()
  const fx = await buildFirehoseFixture({
    frames: args.frames,
    accounts: args.accounts,
    seed: args.seed,
    declarationRatio: args.declarations,
    onProgress: (n) => log(`  ${n} frames`),
  })
  const genSeconds = (performance.now() - t0) / 1000
  const seedDir = mkdtempSync(join(tmpdir(), 'donottrain-bench-seed-'))
  let mirror: PlcMirror | undefined
  try {
    const plc = await startPlcMirror(
      fx.plcUrl,
      fx.heads.map((h) => h.did),
    )
    mirror = plc
    const seedFile = join(seedDir, 'heads.json')
    writeFileSync(seedFile, JSON.stringify(fx.heads))
    const bytes = fx.frames.reduce((a, f) => a + f.length, 0)
    const ops = fx.info.reduce((a, i) => a + i.ops.length, 0)
    const relevant = fx.info.filter((i) => i.relevant).length
    const dids = new Set(fx.info.map((i) => i.did)).size
    const fixtureLine =
      `${fx.frames.length} frames (${fmt(bytes / fx.frames.length)} B avg, ${ops} ops, ${relevant} declaration-relevant)` +
      ` over ${fx.accounts} accounts (${fx.keyTypes.secp256k1} secp256k1, ${fx.keyTypes.p256} P-256; ${dids} write in` +
      ` the stream); generated in ${fmt(genSeconds)} s`
    log(fixtureLine)

    const consumers = args.consumers.split(',').filter((c): c is Consumer => c in CONSUMERS)
    if (consumers.length === 0) throw new Error(`--consumers names none of ${Object.keys(CONSUMERS).join(', ')}`)
    const results: RunResult[] = []
    for (let run = 1; run <= args.runs; run++) {
      const order = consumers.map((_, i) => consumers[(i + run - 1) % consumers.length] as Consumer)
      for (const consumer of order) {
        log(`run ${run}/${args.runs}: ${consumer}…`)
        const r = await timeConsumer(fx, plc, consumer, seedFile)
        log(`  ${fmt(r.rate)} frames/s (${fmt(r.cpuRate)} per CPU-second, ${r.connections} connection(s))`)
        results.push({ run, consumer, ...r })
      }
    }

    const perRun = runsTable(results)
    const of = (c: Consumer) => results.filter((r) => r.consumer === c)
    const ratios = (c: Consumer, key: 'rate' | 'cpuRate') => sameRunRatios(results, c, key)
    const summary = summaryTable(results, consumers)
    const durable = of('indexer')
      .concat(of('indexer-all'))
      .every((r) => r.worker.done.durableCursor === r.worker.done.lastSeq)

    let longText = ''
    const longJson: Record<string, unknown> = {}
    if (args.long > 0) {
      log(`long run: ${args.long.toLocaleString('en-US')} frames, looping the fixture, indexer as deployed…`)
      const { worker: w, connections } = await longRun(fx, plc, args.long)
      const long = longSummary(
        w,
        connections,
        Math.max(fx.frames.length, Math.round(args.long * 0.1)),
        fx.frames.length,
      )
      longText = long.text
      Object.assign(longJson, long.json)
      longJson.met = long.growth < TARGET_RSS_GROWTH && long.peakGrowth < TARGET_RSS_GROWTH
    }

    const rate = median(of('indexer-all').map((r) => r.rate))
    const cpuRate = median(of('indexer-all').map((r) => r.cpuRate))
    const deployedRatio = median(ratios('indexer', 'rate'))
    const allRatio = median(ratios('indexer-all', 'rate'))
    const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met')
    const targets = [
      `- ≥ ${TARGET_RATIO}× the reference: as deployed ${fmt(deployedRatio)}× (${verdict(deployedRatio >= TARGET_RATIO)});` +
        ` validating every commit ${fmt(allRatio)}× (${verdict(allRatio >= TARGET_RATIO)}).`,
      `- ≥ ${TARGET_RATE} frames/s on one core, validating every commit: ${fmt(rate)} frames/s wall,` +
        ` ${fmt(cpuRate)} per CPU-second (${verdict(rate >= TARGET_RATE)} wall, ${verdict(cpuRate >= TARGET_RATE)} per CPU-s).`,
      args.long > 0
        ? `- RSS growth < ${TARGET_RSS_GROWTH * 100}% over ${args.long.toLocaleString('en-US')} frames:` +
          ` end ${fmtPct(longJson.growth as number)}, peak ${fmtPct(longJson.peakGrowth as number)}` +
          ` (${verdict(longJson.met === true)}).`
        : '- RSS growth: long run skipped (--long 0).',
      `- Durable cursor equals the last seq after every indexer run: ${durable ? 'yes' : 'NO'}.`,
    ]
    const argLine = `--frames ${args.frames} --accounts ${args.accounts} --runs ${args.runs} --long ${args.long} --seed ${args.seed} --declarations ${args.declarations}`
    const report = [
      `bench/ingest ${argLine}`,
      machine,
      fixtureLine,
      '',
      perRun,
      '',
      summary,
      '',
      longText,
      '',
      'Targets:',
      ...targets,
    ].join('\n')
    process.stdout.write(`\n${report}\n`)

    const outDir = new URL('../../out/', import.meta.url)
    mkdirSync(outDir, { recursive: true })
    const file = new URL(`ingest-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, outDir)
    const json = {
      args,
      machine,
      fixture: fixtureLine,
      runs: results.map((r) => ({ run: r.run, consumer: r.consumer, rate: r.rate, cpuRate: r.cpuRate, ...r.worker })),
      long: longJson,
      targets,
    }
    writeFileSync(file, JSON.stringify(json, null, 2))
    log(`\nraw results: ${file.pathname}`)
  } finally {
    rmSync(seedDir, { recursive: true, force: true })
    await mirror?.close()
    await fx.close()
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/ingest failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  process.exitCode = 1
})
