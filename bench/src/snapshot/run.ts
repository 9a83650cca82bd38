import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { parseSubject } from '@donottrain/lexicon'
import {
  formatSnapshotLine,
  generateNoteKey,
  MemoryTree,
  parseSignerKey,
  SNAPSHOT_FORMAT,
  SnapshotChecker,
  type SnapshotDeclaration,
  signCheckpoint,
  signManifest,
} from '@donottrain/verifier'
import { readArgs } from '../lib/args.js'
import { machineLine } from '../lib/machine.js'
import { fmt, fmtMiB, median } from '../lib/stats.js'
import { table } from '../lib/table.js'

const USAGE = `bench/snapshot — offline subject checks from a verified snapshot (SnapshotChecker)

  npm run bench:snapshot -w bench -- [options]      (or: node bench/dist/snapshot/run.js [options])`

const TARGET_CHECKS = 5_000_000
const ORIGIN = 'bench.test/donottrain/log'
const POST = 'app.bsky.feed.post'
const DECL = 'ai.donottrain.declaration'

const log = (line: string) => process.stderr.write(`${line}\n`)
const did = (i: number) => `did:plc:${i.toString(36).padStart(24, 'a')}`

/** N declarations over N/2 accounts: account, collection and record scopes, sorted by uri. */
function declarations(n: number): SnapshotDeclaration[] {
  const out: SnapshotDeclaration[] = []
  for (let i = 0; i < n; i++) {
    const account = did(i >> 1)
    const kind = i % 4
    const scope: SnapshotDeclaration['scope'] =
      kind === 0 || kind === 2
        ? { type: 'account' }
        : kind === 1
          ? { type: 'collection', collection: POST }
          : { type: 'record', uri: `at://${account}/${POST}/3kpost${i}` }
    out.push({
      uri: `at://${account}/${DECL}/${kind === 0 || kind === 2 ? 'self' : `3k${i.toString(36)}`}`,
      did: account,
      cid: 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm',
      rev: '3l3qo2vutsw2b',
      source: 'declaration',
      scope,
      preferences: kind === 1 ? { search: 'deny' } : { trainAi: 'deny' },
      indexedAt: '2026-01-01T00:00:00.000Z',
      seq: i + 1,
      logIndex: i,
    })
  }
  return out
    .sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0))
    .filter((d, i, all) => all[i - 1]?.uri !== d.uri)
}

async function build(n: number) {
  const keys = await generateNoteKey(ORIGIN)
  const signer = await parseSignerKey(keys.signerKey)
  if (!signer.ok) throw signer.error
  const decls = declarations(n)
  const data = new Uint8Array(gzipSync(decls.map((d) => `${formatSnapshotLine(d)}\n`).join(''), { level: 6 }))
  const tree = new MemoryTree()
  for (let i = 0; i < 1000; i++) tree.append(Uint8Array.of(i & 0xff, i >> 8))
  const checkpoint = await signCheckpoint(
    { origin: ORIGIN, size: tree.size, rootHash: tree.rootAt(), extensions: [] },
    signer.value,
  )
  const manifestText = await signManifest(
    {
      origin: ORIGIN,
      size: tree.size,
      rootHash: tree.rootAt(),
      checkpoint,
      format: SNAPSHOT_FORMAT,
      dataSha256: new Uint8Array(createHash('sha256').update(data).digest()),
      dataBytes: data.length,
      count: decls.length,
      createdAt: new Date().toISOString(),
    },
    signer.value,
  )
  return { data, manifestText, verifierKey: keys.verifierKey, count: decls.length }
}

/** Subjects a crawler holds: DIDs (half declared), post at-uris, web URLs. */
function subjects(accounts: number, count: number): string[] {
  const out: string[] = []
  for (let i = 0; i < count; i++) {
    const a = did((i * 7919) % (accounts * 2))
    const k = i % 4
    out.push(k === 0 || k === 1 ? a : k === 2 ? `at://${a}/${POST}/3kpost${i}` : `https://site${i % 100}.example/p`)
  }
  return out
}

function time(subjectList: string[], seconds: number, fn: (s: string) => unknown): number {
  const rates: number[] = []
  const deadline = performance.now() + seconds * 1000
  let sink = 0
  while (performance.now() < deadline || rates.length < 3) {
    const t0 = performance.now()
    for (const s of subjectList) if (fn(s)) sink++
    rates.push(subjectList.length / ((performance.now() - t0) / 1000))
  }
  if (sink < 0) log('unreachable')
  return median(rates)
}

async function main(): Promise<void> {
  const args = readArgs(
    {
      declarations: { default: 1_000_000, quick: 100_000, help: 'declarations in the snapshot' },
      subjects: { default: 200_000, quick: 50_000, help: 'distinct subjects per timed pass' },
      seconds: { default: 5, quick: 1, help: 'seconds per timed loop' },
    },
    USAGE,
  )
  if (!args) return
  log(`building a snapshot of ${args.declarations} declarations…`)
  const snap = await build(args.declarations)
  const rss0 = process.memoryUsage().rss
  const t0 = performance.now()
  const opened = await SnapshotChecker.open(
    { dataBytes: snap.data, manifestText: snap.manifestText },
    { verifierKey: snap.verifierKey },
  )
  const loadMs = performance.now() - t0
  if (!opened.ok) throw opened.error
  const checker = opened.value
  const rss = process.memoryUsage().rss - rss0
  const list = subjects(Math.ceil(args.declarations / 2), args.subjects)
  log('timing…')
  const parseOnly = time(list, args.seconds, (s) => parseSubject(s).ok)
  const checks = time(list, args.seconds, (s) => checker.check(s).ok)
  const didsOnly = list.filter((s) => s.startsWith('did:'))
  const didChecks = time(didsOnly, args.seconds, (s) => checker.check(s).ok)
  const lookupOnly = time(didsOnly, args.seconds, (s) => checker.declarationsOf(s).length > 0)

  process.stdout.write(`${machineLine()}\n`)
  process.stdout.write(
    `snapshot: ${snap.count} declarations, ${fmtMiB(snap.data.length)} gzip; load + verify ${fmt(loadMs / 1000)} s ` +
      `(${fmt(snap.count / (loadMs / 1000) / 1e6)} M declarations/s), heap+rss growth ≈ ${fmtMiB(rss)}\n\n`,
  )
  process.stdout.write(
    `${table(
      ['loop', 'subjects/s', 'target'],
      [
        ['parseSubject only (floor: the shared parser)', fmt(parseOnly / 1e6), ''],
        ['Map lookup by DID only (floor: the index)', fmt(lookupOnly / 1e6), ''],
        ['SnapshotChecker.check, mixed subjects', fmt(checks / 1e6), `${TARGET_CHECKS / 1e6} M`],
        ['SnapshotChecker.check, DIDs only', fmt(didChecks / 1e6), `${TARGET_CHECKS / 1e6} M`],
      ].map((r) => [r[0] as string, r[1] === '' ? '' : `${r[1]} M`, r[2] as string]),
    )}\n`,
  )
}

await main()
