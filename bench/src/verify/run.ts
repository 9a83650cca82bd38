import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readArgs } from '../lib/args.js'
import { buildFirehoseFixture } from '../lib/firehose.js'
import { forkOnce } from '../lib/fork.js'
import { machineLine } from '../lib/machine.js'
import { startPlcMirror } from '../lib/plc-mirror.js'
import { fmt, median } from '../lib/stats.js'
import { table } from '../lib/table.js'
import { type CommitCase, commitCases, commitValidators } from './commits.js'
import { buildProofs, proofToJson } from './proofs.js'
import { type Timed, timeAll, warmUp } from './timing.js'
import type { ProofRun, ProofTask } from './worker-proofs.js'

const USAGE = `bench/verify — verifyRecordProof vs @atproto/repo verifyProofs on the same record proofs,
and the indexer's commit validation vs @atproto/sync's on the same #commit frames

  npm run bench:verify -w bench -- [options]      (or: node bench/dist/verify/run.js [options])`

const TARGET_RATIO = 20

const log = (line: string) => process.stderr.write(`${line}\n`)

interface Pair {
  name: string
  ours: string
  ref: string
  /** oursWarm: ours again over the same cases, its key caches warm (record proofs only). */
  runs: Array<{ ours: Timed; ref: Timed; oursWarm?: Timed }>
  n: number
  keys: string[]
}

/** Times both functions over the same cases `runs` times, alternating which goes first, after a warm-up. */
async function compare<T>(
  pair: Omit<Pair, 'runs' | 'n' | 'keys'>,
  cases: readonly T[],
  keyOf: (c: T) => string,
  a: (c: T) => Promise<boolean>,
  b: (c: T) => Promise<boolean>,
  runs: number,
): Promise<Pair> {
  const warm = cases.slice(0, Math.min(200, cases.length))
  await warmUp(warm, a)
  await warmUp(warm, b)
  const out: Pair = { ...pair, runs: [], n: cases.length, keys: [...new Set(cases.map(keyOf))].sort() }
  for (let r = 0; r < runs; r++) {
    let oursT: Timed
    let refT: Timed
    if (r % 2 === 0) {
      oursT = await timeAll(cases, keyOf, a, pair.ours)
      refT = await timeAll(cases, keyOf, b, pair.ref)
    } else {
      refT = await timeAll(cases, keyOf, b, pair.ref)
      oursT = await timeAll(cases, keyOf, a, pair.ours)
    }
    out.runs.push({ ours: oursT, ref: refT })
    const rate = (t: Timed) => (cases.length / t.total) * 1000
    const cpu = (t: Timed) => (cases.length / t.cpu) * 1000
    log(
      `  run ${r + 1}/${runs}: ${fmt(rate(oursT))}/s vs ${fmt(rate(refT))}/s (${fmt(rate(oursT) / rate(refT))}×;` +
        ` CPU ${fmt(cpu(oursT) / cpu(refT))}×)`,
    )
  }
  return out
}

/**
 * Times both over the same proofs, each run in a fresh process (no key of the set cached when it
 * starts), alternating which goes first, after a JIT warm-up on other proofs (other keys).
 */
async function proofRuns(file: string, warmFile: string, n: number, keys: string[], runs: number): Promise<Pair> {
  const out: Pair = { name: 'record proofs', ours: 'verifyRecordProof', ref: 'verifyProofs', runs: [], n, keys }
  const script = new URL('./worker-proofs.js', import.meta.url)
  for (let r = 0; r < runs; r++) {
    const task: ProofTask = { file, warmFile, referenceFirst: r % 2 === 1 }
    const run = await forkOnce<ProofRun>(script, task, 60 * 60_000)
    out.runs.push(run)
    const rate = (t: Timed) => (n / t.total) * 1000
    log(
      `  run ${r + 1}/${runs}: ${fmt(rate(run.ours))}/s vs ${fmt(rate(run.ref))}/s (${fmt(rate(run.ours) / rate(run.ref))}×;` +
        ` CPU ${fmt(((n / run.ours.cpu) * 1000) / ((n / run.ref.cpu) * 1000))}×)`,
    )
  }
  return out
}

function pairTables(p: Pair): { perRun: string; summary: string; ratio: number; cpuRatio: number } {
  const wall = (t: Timed) => (p.n / t.total) * 1000
  const cpu = (t: Timed) => (p.n / t.cpu) * 1000
  const warm = p.runs.every((r) => r.oursWarm !== undefined)
  const legend = `A = ${p.ours}, B = ${p.ref}; /s is wall time, /CPU-s per second of the process's CPU time`
  const head = ['A /s', 'B /s', 'A÷B', 'A /CPU-s', 'B /CPU-s', 'A÷B (CPU)', ...(warm ? ['A /s, keys seen before'] : [])]
  const cells = (
    a: (t: Timed) => number,
    c: (t: Timed) => number,
    pick: (f: (r: Pair['runs'][number]) => number) => number,
  ) => [
    fmt(pick((r) => a(r.ours))),
    fmt(pick((r) => a(r.ref))),
    `${fmt(pick((r) => a(r.ours) / a(r.ref)))}×`,
    fmt(pick((r) => c(r.ours))),
    fmt(pick((r) => c(r.ref))),
    `${fmt(pick((r) => c(r.ours) / c(r.ref)))}×`,
    ...(warm ? [fmt(pick((r) => (r.oursWarm ? a(r.oursWarm) : Number.NaN)))] : []),
  ]
  const perRun = table(
    ['run', ...head],
    p.runs.map((run, i) => [String(i + 1), ...cells(wall, cpu, (f) => f(run))]),
  )
  const med = (f: (r: Pair['runs'][number]) => number) => median(p.runs.map(f))
  const keyWall = (k: string) => (t: Timed) => {
    const s = t.byKey[k]
    return s ? (s.n / s.ms) * 1000 : Number.NaN
  }
  const keyCpu = (k: string) => (t: Timed) => {
    const s = t.byKey[k]
    return s ? (s.n / s.cpu) * 1000 : Number.NaN
  }
  const rows = [[`all ${p.n}`, ...cells(wall, cpu, med)]]
  for (const k of p.keys) {
    const n = p.runs[0]?.ours.byKey[k]?.n ?? 0
    rows.push([`${k} (${n})`, ...cells(keyWall(k), keyCpu(k), med)])
  }
  const summary = `${legend}; medians over ${p.runs.length} runs, ratios taken within each run:\n\n${table(['cases', ...head], rows)}`
  return {
    perRun,
    summary,
    ratio: med((r) => wall(r.ours) / wall(r.ref)),
    cpuRatio: med((r) => cpu(r.ours) / cpu(r.ref)),
  }
}

async function main() {
  const args = readArgs(
    {
      repos: { default: 2000, quick: 300, help: 'repositories, each with its own key, one or more proofs each' },
      'per-repo': { default: 1, quick: 1, help: 'declarations proven per repository' },
      p256: { default: 0.25, quick: 0.25, help: 'share of repositories with a P-256 key (the rest secp256k1)' },
      runs: { default: 5, quick: 2, help: 'timed runs (alternating which side goes first)' },
      commits: { default: 2000, quick: 300, help: '#commit frames for the commit-validation figure (0: skip)' },
      accounts: { default: 200, quick: 50, help: 'accounts those frames are spread over' },
    },
    USAGE,
  )
  if (!args) return
  const machine = machineLine()
  log(`bench/verify · ${machine}`)
  log(`building ${args.repos} repositories (@atproto/repo, one key each)…`)
  const t0 = performance.now()
  const proofs = await buildProofs({
    repos: args.repos,
    perRepo: args['per-repo'],
    p256Share: args.p256,
    onProgress: (n) => log(`  ${n} repositories`),
  })
  const avgBytes = proofs.reduce((a, p) => a + p.car.length, 0) / proofs.length
  const avgRecords = proofs.reduce((a, p) => a + p.records, 0) / proofs.length
  const proofLine =
    `${proofs.length} proofs of ai.donottrain.declaration records from ${args.repos} repositories with distinct keys` +
    ` (${proofs.filter((p) => p.keyType === 'secp256k1').length} secp256k1, ${proofs.filter((p) => p.keyType === 'p256').length} P-256),` +
    ` ${fmt(avgRecords)} records per repo on average, ${fmt(avgBytes)} B per proof CAR; built in ${fmt((performance.now() - t0) / 1000)} s`
  log(proofLine)
  const warmProofs = await buildProofs({
    repos: Math.max(50, Math.round(args.repos / 10)),
    perRepo: 1,
    p256Share: args.p256,
  })
  const dir = mkdtempSync(join(tmpdir(), 'donottrain-bench-verify-'))
  let proofPair: Pair
  try {
    const file = join(dir, 'proofs.json')
    const warmFile = join(dir, 'warm.json')
    writeFileSync(file, JSON.stringify(proofs.map(proofToJson)))
    writeFileSync(warmFile, JSON.stringify(warmProofs.map(proofToJson)))
    const keys = [...new Set(proofs.map((p) => p.keyType))].sort()
    proofPair = await proofRuns(file, warmFile, proofs.length, keys, args.runs)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const proofTables = pairTables(proofPair)

  let commitText = 'Commit validation: skipped (--commits 0).'
  let commitJson: unknown
  let commitRatios: { ratio: number; cpuRatio: number } | undefined
  if (args.commits > 0) {
    log(`generating ${args.commits} #commit frames over ${args.accounts} accounts (local PLC)…`)
    const fx = await buildFirehoseFixture({ frames: args.commits, accounts: args.accounts })
    const dids = fx.heads.map((h) => h.did)
    const mirror = await startPlcMirror(fx.plcUrl, dids)
    try {
      const validators = await commitValidators(mirror.url, dids)
      try {
        const cases = commitCases(fx.frames)
        const pair = await compare(
          { name: 'commits', ours: 'indexer createCommitVerifier', ref: '@atproto/sync parseCommitAuthenticated' },
          cases,
          (c: CommitCase) => fx.keyTypeByDid.get(c.event.repo) ?? 'unknown',
          validators.indexer,
          validators.reference,
          args.runs,
        )
        const t = pairTables(pair)
        commitRatios = t
        const ops = cases.reduce((a, c) => a + c.ops, 0)
        commitText = [
          `Commit validation: ${cases.length} #commit frames (${ops} ops) over ${fx.accounts} accounts` +
            ` (${fx.keyTypes.secp256k1} secp256k1, ${fx.keyTypes.p256} P-256), decoded once before timing, DID caches warm.`,
          `Indexer: ${validators.source} — CAR block hashes, commit DID/rev, rev order, signature,` +
            ' since/prevData chain against a tracked state, MST inversion.',
          'Reference: @atproto/sync parseCommitAuthenticated — signature and an MST proof of every op (verifyProofs), records decoded.',
          '',
          t.perRun,
          '',
          t.summary,
        ].join('\n')
        commitJson = pair
      } finally {
        await validators.close()
      }
    } finally {
      await mirror.close()
      await fx.close()
    }
  }

  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met')
  const argLine = `--repos ${args.repos} --per-repo ${args['per-repo']} --p256 ${args.p256} --runs ${args.runs} --commits ${args.commits} --accounts ${args.accounts}`
  const report = [
    `bench/verify ${argLine}`,
    machine,
    '',
    `Record proofs: ${proofLine}.`,
    'verifyRecordProof gets the key as a did:key parsed per proof (parseDidKey), as verifyProofs gets its didKey.',
    'Each run is a fresh process (JIT warmed for 1.5 s per side on other proofs first), so every key is new to both sides; the last' +
      ' column is verifyRecordProof again over the same proofs in that process (P-256 key objects then cached).',
    '',
    proofTables.perRun,
    '',
    proofTables.summary,
    '',
    commitText,
    '',
    'Targets:',
    `- verifyRecordProof ≥ ${TARGET_RATIO}× verifyProofs: ${fmt(proofTables.ratio)}× wall` +
      ` (${verdict(proofTables.ratio >= TARGET_RATIO)}), ${fmt(proofTables.cpuRatio)}× CPU time` +
      ` (${verdict(proofTables.cpuRatio >= TARGET_RATIO)}).`,
    ...(commitRatios
      ? [
          `- (no target) commit validation: ${fmt(commitRatios.ratio)}× the reference wall, ${fmt(commitRatios.cpuRatio)}× CPU.`,
        ]
      : []),
  ].join('\n')
  process.stdout.write(`\n${report}\n`)

  const outDir = new URL('../../out/', import.meta.url)
  mkdirSync(outDir, { recursive: true })
  const file = new URL(`verify-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, outDir)
  writeFileSync(file, JSON.stringify({ args, machine, proofs: proofPair, commits: commitJson }, null, 2))
  log(`\nraw results: ${file.pathname}`)
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/verify failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  process.exitCode = 1
})
