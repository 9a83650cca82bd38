import { TestPlc } from '@atproto/dev-env'
import { IdResolver } from '@atproto/identity'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createFirehoseGenerator,
  type FirehoseGenerator,
  type FixtureKeyType,
  type FrameInfo,
  type FrameServer,
  type GeneratedFrame,
  HOSTILE_KINDS,
  type HostileKind,
  makeHostileFrame,
  ReferenceChecker,
  startFrameServer,
  waitFor,
  withSeq,
} from '../src/index.js'
import { startTestIndexer, type TestIndexer } from './support/indexer.js'

interface HostileCase {
  kind: HostileKind
  /** The `reason` label the indexer must count it under in donottrain_rejections_total. */
  reason: string
  /** A framing error: the indexer drops the connection and resumes from its durable cursor. */
  drops?: boolean
  /** Take the source frame from an account with this key type. */
  keyType?: FixtureKeyType
}

const CASES: HostileCase[] = [
  { kind: 'bad-cbor', reason: 'frame-bad-cbor', drops: true },
  { kind: 'nesting-depth', reason: 'frame-too-deep', drops: true },
  { kind: 'oversized-frame', reason: 'frame-too-large', drops: true },
  { kind: 'block-cid-mismatch', reason: 'bad-car' },
  { kind: 'wrong-key-signature', reason: 'bad-signature', keyType: 'secp256k1' },
  { kind: 'wrong-key-signature', reason: 'bad-signature', keyType: 'p256' },
  { kind: 'high-s-signature', reason: 'bad-signature', keyType: 'secp256k1' },
  { kind: 'high-s-signature', reason: 'bad-signature', keyType: 'p256' },
  { kind: 'op-omitted', reason: 'inversion-mismatch' },
  { kind: 'replayed-rev', reason: 'stale-rev' },
  { kind: 'future-rev', reason: 'future-rev' },
  { kind: 'commit-did-mismatch', reason: 'did-mismatch' },
  { kind: 'truncated-car', reason: 'bad-car' },
  { kind: 'forged-sync', reason: 'sync-bad-signature' },
]

const label = (c: HostileCase) => (c.keyType ? `${c.kind} (${c.keyType})` : c.kind)
const MAX_SEARCH = 300
const REJECTION_LINE = /^donottrain_rejections_total\{reason="([^"]+)"\} (\d+)$/gm

/** donottrain_rejections_total by reason, read from the Prometheus text. */
function parseRejections(text: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [, reason, value] of text.matchAll(REJECTION_LINE)) out[reason as string] = Number(value)
  return out
}

/** The counters that moved, and by how much. */
function delta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const moved: Record<string, number> = {}
  for (const [reason, value] of Object.entries(after)) {
    if (value !== (before[reason] ?? 0)) moved[reason] = value - (before[reason] ?? 0)
  }
  return moved
}

/**
 * Feeds a running indexer the hostile frames of the indexer issue from a websocket server, each in
 * the stream position it attacks, between valid signed frames of real PLC identities. Every
 * account holds a declaration first, so the indexer validates all of its commits, and every valid
 * frame writes its repo row (and the durable cursor), which makes each step observable.
 */
describe('indexer under hostile firehose input', () => {
  let plc: TestPlc
  let gen: FirehoseGenerator
  let server: FrameServer
  let indexer: TestIndexer
  let checker: ReferenceChecker
  let seq = 0
  /** The last valid frame pushed; once it is indexed, so is everything before it. */
  let last = { did: '', rev: '', seq: 0 }

  const rejections = () => parseRejections(indexer.metrics.render())
  const keyTypeOf = (did: string) => gen.accounts.find((a) => a.did === did)?.keyType
  const health = async () => (await fetch(`${indexer.url}/_health`)).status

  const generate = async (): Promise<GeneratedFrame> => {
    const [frame] = await gen.next(1)
    if (!frame) throw new Error('the generator returned no frame')
    return frame
  }

  /** Pushes a valid frame (retained: replayed to a reconnecting client from its cursor). */
  const pushValid = async (frame: GeneratedFrame): Promise<void> => {
    const bytes = withSeq(frame.bytes, ++seq)
    expect((await checker.check(bytes)).failures).toEqual([])
    server.pushFrame(bytes)
    last = { did: frame.info.did, rev: frame.info.rev, seq }
  }

  /** Waits until the indexer has applied the last valid frame pushed. */
  const settle = () =>
    waitFor(async () => (await indexer.store.getRepo(last.did))?.rev === last.rev, {
      what: `rev=${last.rev} of did=${last.did} indexed`,
    })

  /** Every row the store holds about declarations, changes and repositories (not the cursor). */
  const rows = async () => {
    const db = indexer.store.kysely
    return {
      declarations: await db.selectFrom('declaration').select(['uri', 'cid', 'rev', 'seq']).orderBy('uri').execute(),
      changes: await db.selectFrom('change').select(['seq', 'kind', 'uri', 'cid', 'rev']).orderBy('seq').execute(),
      repos: await db
        .selectFrom('repo')
        .select(['did', 'rev', 'data_cid', 'commit_cid', 'status'])
        .orderBy('did')
        .execute(),
    }
  }

  /** uri → cid of the declarations the store holds (for one DID, or all). */
  const stored = async (did?: string) => {
    let query = indexer.store.kysely.selectFrom('declaration').select(['uri', 'cid'])
    if (did) query = query.where('did', '=', did)
    return new Map((await query.execute()).map((r) => [r.uri, r.cid]))
  }
  /** uri → cid of the declarations every valid frame generated so far leads to. */
  const expected = (did?: string) =>
    new Map([...gen.expected.declarations].filter(([uri]) => !did || uri.startsWith(`at://${did}/`)))

  const fits = (c: HostileCase, info: FrameInfo): boolean => {
    if (c.keyType && keyTypeOf(info.did) !== c.keyType) return false
    if (c.kind === 'op-omitted') return info.ops.length >= 2
    if (c.kind === 'block-cid-mismatch') return info.ops.some((op) => op.cid !== null)
    if (c.kind === 'replayed-rev' || c.kind === 'forged-sync') return true
    // A commit that writes a declaration would add rows if it were accepted. commit-did-mismatch
    // needs one: it claims an untracked DID, whose commits are validated only when relevant.
    return info.relevant
  }

  /** The next generated frame fit to corrupt as `c`; the frames passed over are pushed as they are. */
  const takeSource = async (c: HostileCase): Promise<GeneratedFrame> => {
    for (let i = 0; i < MAX_SEARCH; i++) {
      const frame = await generate()
      if (fits(c, frame.info)) return frame
      await pushValid(frame)
    }
    throw new Error(`no source frame for ${label(c)} in ${MAX_SEARCH} generated frames`)
  }

  beforeAll(async () => {
    plc = await TestPlc.create({})
    const resolver = new IdResolver({ plcUrl: plc.url })
    checker = new ReferenceChecker({ resolveKey: (did) => resolver.did.resolveAtprotoKey(did) })
    // Two accounts, one per curve; seed 12 spreads the activity evenly between them.
    gen = await createFirehoseGenerator({
      plcUrl: plc.url,
      accounts: 2,
      p256Ratio: 0.5,
      declarationRatio: 0.3,
      historyRecords: 10,
      seed: 12,
    })
    expect(new Set(gen.accounts.map((a) => a.keyType))).toEqual(new Set(['secp256k1', 'p256']))
    server = await startFrameServer()
    indexer = await startTestIndexer({ plcUrl: plc.url }, { firehoseUrl: server.url })

    // Warm-up: valid frames until every account holds a declaration, and so is tracked.
    const declares = (did: string) => [...gen.expected.declarations.keys()].some((u) => u.startsWith(`at://${did}/`))
    for (let i = 0; !gen.accounts.every((a) => declares(a.did)); i++) {
      if (i >= MAX_SEARCH) throw new Error(`no declaration from every account in ${MAX_SEARCH} frames`)
      await pushValid(await generate())
    }
    await waitFor(() => gen.accounts.every((a) => indexer.ingester.isTracked(a.did)), {
      what: 'every account tracked',
    })
    await pushValid(await generate())
    await settle()
    expect(await stored()).toEqual(expected())
    expect(rejections()).toEqual({})
  })

  afterAll(async () => {
    await indexer?.close()
    await server?.close()
    await plc?.close()
  })

  it('covers every hostile kind of the harness', () => {
    expect(new Set(CASES.map((c) => c.kind))).toEqual(new Set(HOSTILE_KINDS))
  })

  it.each(CASES.map((c) => [label(c), c] as const))(
    '%s: rejected and counted, nothing written, alive, the next valid frame indexed',
    async (_, c) => {
      const source = await takeSource(c)
      let followUp: GeneratedFrame | undefined = source
      if (c.kind === 'replayed-rev') {
        // Replay the source once its account has moved past it: accepted, it would roll the repo back.
        await pushValid(source)
        for (let i = 0, next = source; i === 0 || next.info.did !== source.info.did; i++) {
          if (i >= MAX_SEARCH) throw new Error(`no later frame of did=${source.info.did}`)
          next = await generate()
          await pushValid(next)
        }
        followUp = undefined
      } else if (c.kind === 'forged-sync') {
        await pushValid(source)
        followUp = undefined
      }
      await settle()

      const hostileSeq = ++seq
      const hostile = await makeHostileFrame(c.kind, source.bytes, {
        accounts: gen.accounts,
        plcUrl: plc.url,
        seq: hostileSeq,
      })
      // The reference oracle rejects it by exactly the check it targets (the input is what it claims).
      expect((await checker.check(hostile.bytes)).failures).toEqual([hostile.target])

      const before = { rejections: rejections(), rows: await rows(), connections: server.connections }
      const durable = last.seq
      try {
        if (c.drops) {
          // Not retained: a retained frame would be replayed on every reconnect from the cursor.
          await waitFor(() => server.openConnections === 1, { what: 'the indexer connected' })
          await server.sendRaw(hostile.bytes)
        } else {
          server.pushFrame(hostile.bytes)
        }
        await waitFor(() => (rejections()[c.reason] ?? 0) > (before.rejections[c.reason] ?? 0), {
          what: `a ${c.reason} rejection`,
          timeoutMs: 5000,
        })
        if (c.drops) {
          await waitFor(() => server.connections > before.connections && server.openConnections === 1, {
            what: 'the indexer to reconnect',
          })
          // It resumes right after the last frame it made durable: nothing skipped, nothing replayed.
          expect(server.cursors.at(-1)).toBe(durable)
        }
        expect(delta(before.rejections, rejections())).toEqual({ [c.reason]: 1 })
        expect(await rows()).toEqual(before.rows)
        expect(await health()).toBe(200)
      } finally {
        // Deliver the valid continuation even after a failed assertion, so the next case starts clean.
        followUp ??= await generate()
        await pushValid(followUp)
        await settle()
      }
      if (!c.drops) expect(server.connections).toBe(before.connections)
      expect(delta(before.rejections, rejections())).toEqual({ [c.reason]: 1 })
      expect(await stored(followUp.info.did)).toEqual(expected(followUp.info.did))
      expect((await indexer.store.getRepo(followUp.info.did))?.status).toBe('active')
    },
  )

  it('ends with exactly the valid frames indexed, and exports every rejection on /metrics', async () => {
    await settle()
    expect(await stored()).toEqual(expected())
    const dids = (await rows()).repos.map((r) => r.did)
    expect(dids.sort()).toEqual(gen.accounts.map((a) => a.did).sort())
    const res = await fetch(`${indexer.url}/metrics`)
    expect(res.status).toBe(200)
    const exported = parseRejections(await res.text())
    expect(exported).toEqual(rejections())
    // (Each case checked its own count; here: every reason is exported, and nothing else was rejected.)
    expect(Object.keys(exported).sort()).toEqual([...new Set(CASES.map((c) => c.reason))].sort())
    expect(await health()).toBe(200)
  })
})
