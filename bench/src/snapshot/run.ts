import { createHash } from 'node:crypto'
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseSubject } from '@donottrain/lexicon'
import {
  generateNoteKey,
  MemoryTree,
  manifestPathOf,
  parseSignerKey,
  SNAPSHOT_FORMAT,
  SnapshotChecker,
  type SnapshotDeclaration,
  SnapshotEncoder,
  signCheckpoint,
  signManifest,
} from '@donottrain/verifier'
import { readArgs } from '../lib/args.js'
import { machineLine } from '../lib/machine.js'
import { fmt, fmtMiB, median } from '../lib/stats.js'
import { table } from '../lib/table.js'

const USAGE = `bench/snapshot — offline subject checks from a verified snapshot (SnapshotChecker)

Builds a signed snapshot of N declarations (N/2 accounts) in a temp directory, opens it from the
file (read + SHA-256 + structure check), then times SnapshotChecker.check over DID, at-uri and
mixed subject lists, next to a plain Map lookup of the same keys (the reference).

  npm run bench:snapshot -w bench -- [options]      (or: node bench/dist/snapshot/run.js [options])`

const TARGET_CHECKS = 5_000_000
const TARGET_LOAD_S = 2
const ORIGIN = 'bench.test/donottrain/log'
const POST = 'app.bsky.feed.post'
const DECL = 'ai.donottrain.declaration'
const B32 = 'abcdefghijklmnopqrstuvwxyz234567'
const SORTABLE = '234567abcdefghijklmnopqrstuvwxyz'

const log = (line: string) => process.stderr.write(`${line}\n`)

/** A 32-bit mix (splitmix-like) for deterministic pseudo-random bytes. */
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d)
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b)
  return (x ^ (x >>> 16)) >>> 0
}

/** Account k of n: DIDs ascending with k (8 sortable chars), random-looking after that. */
function didOf(k: number, n: number): string {
  let head = Math.floor((k * 2 ** 40) / Math.max(n, 1))
  let s = ''
  for (let i = 0; i < 8; i++, head = Math.floor(head / 32)) s = SORTABLE[head % 32] + s
  for (let i = 0; i < 16; i++) s += B32[mix(k * 16 + i + 1) % 32]
  return `did:plc:${s}`
}

function tid(i: number): string {
  let s = ''
  let v = 1_700_000_000_000_000 + i * 1000
  for (let k = 0; k < 11; k++, v = Math.floor(v / 32)) s = SORTABLE[v % 32] + s
  return `3${s.slice(1)}22`
}

/** 50-character runs of pseudo-random base32, to assemble digests from cheaply. */
const RUNS = Array.from({ length: 4096 }, (_, r) =>
  Array.from({ length: 50 }, (_, k) => B32[mix(r * 64 + k) % 32]).join(''),
)

/**
 * A CIDv1 dag-cbor sha2-256 as base32 multibase ("bafyrei" + 52 characters, the last one with
 * its 2 unused bits zero), with a pseudo-random digest.
 */
function cid(i: number): string {
  const r = mix(i)
  return `bafyrei${B32[r & 7]}${RUNS[(r >>> 3) & 4095]}${B32[((r >>> 15) & 7) * 4]}`
}

/** The declarations of account k (2 per account: account + collection, or account + record scope), uri order. */
function declarationsOf(k: number, n: number): SnapshotDeclaration[] {
  const did = didOf(k, n)
  const out: SnapshotDeclaration[] = []
  for (const i of [2 * k, 2 * k + 1]) {
    const kind = i % 4
    const scope: SnapshotDeclaration['scope'] =
      kind === 0 || kind === 2
        ? { type: 'account' }
        : kind === 1
          ? { type: 'collection', collection: POST }
          : { type: 'record', uri: `at://${did}/${POST}/${tid(i + 7)}` }
    out.push({
      uri: `at://${did}/${DECL}/${kind === 0 || kind === 2 ? 'self' : tid(i)}`,
      did,
      cid: cid(i),
      rev: tid(i + 3),
      source: 'declaration',
      scope,
      preferences: kind === 1 ? { search: 'deny' } : { trainAi: 'deny' },
      indexedAt: new Date(1_780_000_000_000 + i * 37).toISOString(),
      seq: i + 1,
      logIndex: i,
    })
  }
  return out.sort((a, b) => (a.uri < b.uri ? -1 : 1))
}

/** Writes the data file (streamed through the encoder) and its signed manifest. */
async function build(path: string, n: number) {
  const keys = await generateNoteKey(ORIGIN)
  const signer = await parseSignerKey(keys.signerKey)
  if (!signer.ok) throw signer.error
  const accounts = Math.ceil(n / 2)
  const encoder = new SnapshotEncoder()
  const hash = createHash('sha256')
  let bytes = 0
  const file = await open(path, 'w')
  const write = async (chunk: Uint8Array) => {
    hash.update(chunk)
    bytes += chunk.length
    await file.write(chunk)
  }
  for (let k = 0; k < accounts; k++) {
    for (const d of declarationsOf(k, accounts)) if (encoder.count < n) encoder.push(d)
    if (k % 50_000 === 49_999) {
      await write(encoder.flush())
      if (k % 1_000_000 === 999_999) log(`  ${encoder.count} declarations…`)
    }
  }
  await write(encoder.finish())
  await file.close()
  const tree = new MemoryTree()
  for (let i = 0; i < 1000; i++) tree.append(Uint8Array.of(i & 0xff, i >> 8))
  const checkpoint = await signCheckpoint(
    { origin: ORIGIN, size: tree.size, rootHash: tree.rootAt(), extensions: [] },
    signer.value,
  )
  const manifest = await signManifest(
    {
      origin: ORIGIN,
      size: tree.size,
      rootHash: tree.rootAt(),
      checkpoint,
      format: SNAPSHOT_FORMAT,
      dataSha256: new Uint8Array(hash.digest()),
      dataBytes: bytes,
      count: encoder.count,
      createdAt: new Date().toISOString(),
    },
    signer.value,
  )
  await writeFile(manifestPathOf(path), manifest)
  return { verifierKey: keys.verifierKey, count: encoder.count, accounts, bytes }
}

/** Subject lists a crawler holds: DIDs (half declared), record at-uris (half of declared accounts), web URLs. */
function subjects(accounts: number, count: number) {
  const dids: string[] = []
  const uris: string[] = []
  const mixed: string[] = []
  for (let i = 0; i < count; i++) {
    const k = mix(i) % (accounts * 2)
    // k >= accounts: a DID that is not in the snapshot (same shape).
    const did = k < accounts ? didOf(k, accounts) : didOf(k, accounts).replace('did:plc:', 'did:plc:z')
    dids.push(did)
    uris.push(`at://${did}/${POST}/${tid(i + 7)}`)
    const m = i % 4
    mixed.push(m <= 1 ? did : m === 2 ? `at://${did}/${POST}/${tid(i)}` : `https://site${i % 100}.example/p`)
  }
  return { dids, uris, mixed }
}

/**
 * Median subjects/s over timed passes of the list (at least 5 passes, `seconds` in all), by the
 * wall clock and by this process's CPU time (on a shared machine the second is the fairer one).
 */
function time(list: readonly string[], seconds: number, fn: (s: string) => unknown): Rate {
  const wall: number[] = []
  const cpu: number[] = []
  const deadline = performance.now() + seconds * 1000
  let sink = 0
  while (performance.now() < deadline || wall.length < 5) {
    const t0 = performance.now()
    const c0 = process.cpuUsage()
    for (const s of list) if (fn(s)) sink++
    const c = process.cpuUsage(c0)
    wall.push(list.length / ((performance.now() - t0) / 1000))
    cpu.push(list.length / (Math.max(1, c.user + c.system) / 1e6))
  }
  if (sink < 0) log('unreachable')
  return { wall: median(wall), cpu: median(cpu) }
}

interface Rate {
  wall: number
  cpu: number
}

async function main(): Promise<void> {
  const args = readArgs(
    {
      declarations: { default: 1_000_000, quick: 100_000, help: 'declarations in the snapshot (e.g. 10000000)' },
      subjects: { default: 200_000, quick: 50_000, help: 'distinct subjects per timed pass' },
      seconds: { default: 5, quick: 1, help: 'seconds per timed loop' },
      loads: { default: 3, quick: 1, help: 'times the snapshot is opened (median reported)' },
    },
    USAGE,
  )
  if (!args) return
  const dir = await mkdtemp(join(tmpdir(), 'donottrain-bench-snapshot-'))
  try {
    const path = join(dir, 'snapshot.bin')
    log(`building a snapshot of ${args.declarations} declarations…`)
    const t0 = performance.now()
    const snap = await build(path, args.declarations)
    log(`  built in ${fmt((performance.now() - t0) / 1000)} s, ${fmtMiB(snap.bytes)}`)

    const loads: number[] = []
    let checker: SnapshotChecker | undefined
    for (let i = 0; i < Math.max(1, args.loads); i++) {
      checker = undefined
      const t = performance.now()
      const opened = await SnapshotChecker.open(path, { verifierKey: snap.verifierKey })
      loads.push(performance.now() - t)
      if (!opened.ok) throw opened.error
      checker = opened.value
    }
    if (!checker) throw new Error('not opened')
    const c = checker
    // The floor of any verified load: reading the file and one SHA-256 over it.
    const floors: number[] = []
    for (let i = 0; i < Math.max(1, args.loads); i++) {
      const t = performance.now()
      createHash('sha256')
        .update(await readFile(path))
        .digest()
      floors.push(performance.now() - t)
    }

    log('building the reference Map and subject lists…')
    const reference = new Map<string, number>()
    for (let k = 0; k < snap.accounts; k++) reference.set(didOf(k, snap.accounts), k)
    // As a crawler would hold them: read from a file (flat strings, not concatenation ropes).
    const { dids, uris, mixed } = JSON.parse(JSON.stringify(subjects(snap.accounts, args.subjects))) as ReturnType<
      typeof subjects
    >
    const didKey = (s: string) => {
      const slash = s.indexOf('/', 5)
      return s.slice(5, slash < 0 ? s.length : slash)
    }
    const parsedKey = (s: string) => {
      const p = parseSubject(s)
      return p.ok && 'actor' in p.value && 'did' in p.value.actor ? p.value.actor.did : ''
    }
    log('timing…')
    const rows: [string, Rate, Rate][] = []
    const pair = (name: string, list: readonly string[], ref: (s: string) => unknown) => {
      const mine = time(list, args.seconds, (s) => c.check(s).ok)
      const theirs = time(list, args.seconds, ref)
      rows.push([name, mine, theirs])
    }
    pair('DID subjects', dids, (s) => reference.get(s) !== undefined)
    pair('at-uri record subjects', uris, (s) => reference.get(didKey(s)) !== undefined)
    pair('mixed (½ DID, ¼ at-uri, ¼ web URL)', mixed, (s) => reference.get(parsedKey(s)) !== undefined)
    // The answers' declarations are decoded only when read: what reading them costs.
    const decoded = time(dids, args.seconds, (s) => {
      const r = c.check(s)
      return r.ok && r.value.declarations.length > 0
    })

    const load = median(loads) / 1000
    const floor = median(floors) / 1000
    process.stdout.write(`${machineLine()}\n`)
    process.stdout.write(
      `snapshot: ${snap.count} declarations, ${snap.accounts} accounts, ${fmtMiB(snap.bytes)} ` +
        `(${fmt(snap.bytes / snap.count)} bytes/declaration)\n` +
        `load (open from file: read + SHA-256 + signature + structure), median of ${loads.length}: ` +
        `${fmt(load)} s (target < ${TARGET_LOAD_S} s${load < TARGET_LOAD_S ? ', met' : ', NOT met'}); ` +
        `floor, read + SHA-256 alone: ${fmt(floor)} s (${fmt(snap.bytes / floor / 1e6)} MB/s)\n\n`,
    )
    const m = (r: number) => `${fmt(r / 1e6)} M`
    process.stdout.write(
      `${table(
        [
          'subjects',
          'check /s wall',
          'reference /s wall',
          'check /s CPU',
          'reference /s CPU',
          'ratio (CPU)',
          `target ${TARGET_CHECKS / 1e6} M/s`,
        ],
        [
          ...rows.map(([name, mine, theirs]) => [
            name,
            m(mine.wall),
            m(theirs.wall),
            m(mine.cpu),
            m(theirs.cpu),
            fmt(mine.cpu / theirs.cpu),
            mine.wall >= TARGET_CHECKS ? 'met' : mine.cpu >= TARGET_CHECKS ? 'met in CPU time' : 'NOT met',
          ]),
          ['DID subjects, reading .declarations too', m(decoded.wall), '', m(decoded.cpu), '', '', ''],
        ],
      )}\n\ncheck: SnapshotChecker.check(subject).ok. reference: Map.get of the DID in a Map of every account ` +
        `(DIDs: the string itself; at-uris: sliced out, unvalidated; mixed: parseSubject, then Map.get). ` +
        `Rates are medians over passes; "CPU" divides by this process's CPU time, not the wall clock.\n`,
    )
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
