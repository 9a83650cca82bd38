import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ChangeKind, LogStore, logChange, openDb, Store } from '@donottrain/indexer'
import { ids } from '@donottrain/lexicon'
import { encodeLeaf, leafFields, leafHash, MemoryTree, verifyConsistency, verifyInclusion } from '@donottrain/verifier'
import { readArgs } from '../lib/args.js'
import { machineLine } from '../lib/machine.js'
import { fmt, median } from '../lib/stats.js'
import { table } from '../lib/table.js'

const USAGE = `bench/log — the transparency log: appends on the write path, bulk appends, proof generation

  npm run bench:log -w bench -- [options]      (or: node bench/dist/log/run.js [options])`

const log = (line: string) => process.stderr.write(`${line}\n`)
const did = (i: number) => `did:plc:${i.toString(36).padStart(24, 'b')}`
const CID = 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm'
const REV = '3l3qo2vutsw2b'

const change = (i: number, now: string) => ({
  kind: 'create' as ChangeKind,
  did: did(i),
  uri: `at://${did(i)}/${ids.AiDonottrainDeclaration}/self`,
  cid: CID,
  rev: REV,
  indexed_at: now,
  view: null,
})

/** Percentile (0..1) of a sorted copy. */
function pct(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN
}

/** Rate of `n` sequential awaited calls of fn, per second. */
async function rate(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const t0 = performance.now()
  for (let i = 0; i < n; i++) await fn(i)
  return n / ((performance.now() - t0) / 1000)
}

async function main(): Promise<void> {
  const args = readArgs(
    {
      leaves: { default: 1_000_000, quick: 50_000, help: 'leaves in the log before the timed parts' },
      appends: { default: 2_000, quick: 500, help: 'transactions per write-path pass' },
      runs: { default: 5, quick: 2, help: 'write-path passes per variant (alternating)' },
      proofs: { default: 5_000, quick: 1_000, help: 'proofs of each kind to time' },
    },
    USAGE,
  )
  if (!args) return
  const dir = mkdtempSync(join(tmpdir(), 'dnt-bench-log-'))
  const db = openDb({ dialect: 'sqlite', path: join(dir, 'log.sqlite') })
  try {
    await db.migrateToLatest()
    const k = db.kysely
    const logStore = new LogStore(db.kysely as never)
    const store = new Store(db)
    const mirror = new MemoryTree()
    const now = new Date().toISOString()

    // 1. Grow the log as catch-up does: change rows, then their leaves in transactions of 500.
    log(`growing the log to ${args.leaves} leaves…`)
    const bulkRates: number[] = []
    for (let i = 0; i < args.leaves; i += 500) {
      const n = Math.min(500, args.leaves - i)
      const rows = Array.from({ length: n }, (_, j) => change(i + j, now))
      const t0 = performance.now()
      await k.transaction().execute(async (tx) => {
        const inserted = await tx.insertInto('change').values(rows).returning('seq').execute()
        const changes = rows.map((r, j) => ({ ...r, seq: Number(inserted[j]?.seq) }))
        await logStore.append(tx as never, changes)
        for (const c of changes) mirror.append(encodeLeaf(leafFields(c)))
      })
      bulkRates.push(n / ((performance.now() - t0) / 1000))
      if (i % 100_000 === 0 && i > 0) log(`  ${i}`)
    }

    // 2. The write path, alternating in one process: (a) a transaction writing one change row,
    // (b) the same plus its log append (logChange, as insertChange does), (c) a whole declaration
    // create through Store.applyCommit (the indexer's write of a commit that makes a change).
    log('timing the write path…')
    let next = args.leaves
    const plain = (i: number) =>
      k.transaction().execute(async (tx) => {
        await tx
          .insertInto('change')
          .values(change(next + i, now))
          .execute()
      })
    const logged = (i: number) =>
      k.transaction().execute(async (tx) => {
        const c = change(next + i, now)
        const row = await tx.insertInto('change').values(c).returning('seq').executeTakeFirstOrThrow()
        await logChange(tx, { ...c, seq: Number(row.seq) })
      })
    const applied = (i: number) =>
      store.applyCommit({
        did: did(next + i),
        rev: REV,
        dataCid: CID,
        commitCid: CID,
        track: true,
        changes: [
          {
            uri: `at://${did(next + i)}/${ids.AiDonottrainDeclaration}/self`,
            collection: ids.AiDonottrainDeclaration,
            rkey: 'self',
            cid: CID,
            extracted: { source: 'declaration', scope: { type: 'account' }, preferences: { trainAi: 'deny' } },
            proof: randomBytes(1600),
          },
        ],
      })
    const perVariant: Record<'plain' | 'logged' | 'applied', number[]> = { plain: [], logged: [], applied: [] }
    const ratios: number[] = []
    const shares: number[] = []
    for (let r = 0; r < args.runs; r++) {
      const order = r % 2 === 0 ? (['plain', 'logged', 'applied'] as const) : (['applied', 'logged', 'plain'] as const)
      const got: Partial<Record<'plain' | 'logged' | 'applied', number>> = {}
      for (const v of order) {
        const fn = v === 'plain' ? plain : v === 'logged' ? logged : applied
        got[v] = await rate(args.appends, fn)
        next += args.appends
        perVariant[v].push(got[v] as number)
      }
      const a = got.plain as number
      const b = got.logged as number
      const c = got.applied as number
      ratios.push(a / b)
      // The log's cost per change as a share of a whole declaration write (which includes it).
      shares.push((1 / b - 1 / a) / (1 / c))
    }

    // 3. Proofs at the final size, from the store (what the API serves) and from memory.
    const size = await logStore.size()
    // the write-path variants (a) wrote change rows without leaves: only (b) and (c) grew the log
    for (let i = mirror.size; i < size; i++)
      mirror.appendLeafHash((await logStore.entries(i, 1))[0]?.hash as Uint8Array)
    const root = await logStore.rootAt(size)
    if (Buffer.compare(root, mirror.rootAt(size)) !== 0) throw new Error('store and memory roots differ')
    log(`timing ${args.proofs} inclusion and consistency proofs at size ${size}…`)
    const incl: number[] = []
    const inclMem: number[] = []
    const cons: number[] = []
    const consMem: number[] = []
    for (let i = 0; i < args.proofs; i++) {
      const index = Math.floor(Math.random() * size)
      let t0 = performance.now()
      const proof = await logStore.inclusionProof(size, index)
      incl.push(performance.now() - t0)
      t0 = performance.now()
      mirror.inclusionProof(index, size)
      inclMem.push(performance.now() - t0)
      const entry = (await logStore.entries(index, 1))[0]
      if (!entry || !verifyInclusion(leafHash(entry.leaf), index, size, proof, root).ok) {
        throw new Error(`inclusion proof failed index=${index}`)
      }
      const first = 1 + Math.floor(Math.random() * (size - 1))
      t0 = performance.now()
      const cproof = await logStore.consistencyProof(first, size)
      cons.push(performance.now() - t0)
      t0 = performance.now()
      mirror.consistencyProof(first, size)
      consMem.push(performance.now() - t0)
      if (!verifyConsistency(first, size, mirror.rootAt(first), root, cproof).ok) {
        throw new Error(`consistency proof failed first=${first}`)
      }
    }

    const us = (ms: number) => fmt(ms * 1000)
    process.stdout.write(`${machineLine()}\n\n`)
    process.stdout.write(
      `log grown to ${fmt(args.leaves)} leaves in transactions of 500 (as catch-up does): median ${fmt(median(bulkRates))} leaves/s\n\n`,
    )
    process.stdout.write(
      `${table(
        ['write path (one transaction each)', 'median tx/s', 'per tx µs'],
        (['plain', 'logged', 'applied'] as const).map((v) => [
          v === 'plain'
            ? '(a) insert one change row'
            : v === 'logged'
              ? '(b) (a) + its log append (logChange)'
              : '(c) Store.applyCommit: one declaration create (includes (b))',
          fmt(median(perVariant[v])),
          us(1000 / median(perVariant[v])),
        ]),
      )}\n\n`,
    )
    const appendUs = (1 / median(perVariant.logged) - 1 / median(perVariant.plain)) * 1e6
    process.stdout.write(
      `log append on the write path: ≈ ${fmt(appendUs)} µs per change; (a)/(b) median ${fmt(median(ratios))}×; ` +
        `share of a whole declaration write (c): median ${fmt(median(shares) * 100)}% (per-run: ${shares.map((s) => `${fmt(s * 100)}%`).join(', ')})\n\n`,
    )
    process.stdout.write(
      `${table(
        [`proof at size ${fmt(size)}`, 'p50 µs', 'p99 µs', 'max µs', 'in-memory p50 µs', 'in-memory p99 µs'],
        [
          [
            'inclusion (LogStore, SQLite)',
            us(pct(incl, 0.5)),
            us(pct(incl, 0.99)),
            us(pct(incl, 1)),
            us(pct(inclMem, 0.5)),
            us(pct(inclMem, 0.99)),
          ],
          [
            'consistency (LogStore, SQLite)',
            us(pct(cons, 0.5)),
            us(pct(cons, 0.99)),
            us(pct(cons, 1)),
            us(pct(consMem, 0.5)),
            us(pct(consMem, 0.99)),
          ],
        ],
      )}\n`,
    )
    process.stdout.write(`every proof verified against the root of the same tree built in memory (MemoryTree)\n`)
  } finally {
    await db.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  process.exitCode = 1
})
