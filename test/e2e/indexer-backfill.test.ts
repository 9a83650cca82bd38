import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  buildConfig,
  type Indexer,
  type IndexerEnv,
  type IndexerOverrides,
  openDb,
  type StartOptions,
  startIndexer,
} from '@donottrain/indexer'
import { bskyIds, ids, scopes } from '@donottrain/lexicon'
import { DidResolver, FetchFailedError, type SafeFetch, SafeFetcher, verifyRecordProof } from '@donottrain/verifier'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LocalNetwork, runCli, startLocalNetwork, type TestAccount, waitFor } from '../src/index.js'
import { testIndexerEnv } from './support/indexer.js'

const now = () => new Date().toISOString()
const DECL = ids.AiDonottrainDeclaration
const FAST = { INDEXER_RESYNC_RATE_PER_SECOND: '100', INDEXER_RESYNC_BURST: '100' }
const BACKFILLED = [DECL, ids.OrgUserIntentsDemoDeclaration, ids.CommunityLexiconPreferenceAi]

describe('indexer backfill', () => {
  let net: LocalNetwork
  let fetcher: SafeFetcher
  const dirs: string[] = []
  const declaring: TestAccount[] = []
  let poster: TestAccount
  let idle: TestAccount

  /** uri → cid of the records the backfill must find: declarations and the foreign lexicons (the PDS's truth). */
  async function truth(accounts: TestAccount[] = declaring): Promise<Map<string, string>> {
    const out = new Map<string, string>()
    for (const account of accounts) {
      for (const collection of BACKFILLED) {
        const res = await account.agent.com.atproto.repo.listRecords({ repo: account.did, collection, limit: 100 })
        for (const r of res.data.records) out.set(r.uri, r.cid)
      }
    }
    return out
  }

  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'donottrain-backfill-'))
    dirs.push(dir)
    return dir
  }

  /** An indexer on `dir`'s SQLite file, following the PDS (or not), with the backfill asked. */
  function start(
    dir: string,
    opts: { env?: IndexerEnv; overrides?: IndexerOverrides; start?: StartOptions } = {},
  ): Promise<Indexer> {
    // One local PDS serves every account: a faster rate than the per-host default keeps the test short.
    const env = { ...FAST, ...opts.env }
    const cfg = buildConfig(testIndexerEnv(net, net.pdsUrl, join(dir, 'indexer.sqlite'), env))
    return startIndexer(cfg, opts.overrides, { backfill: true, ...opts.start })
  }

  const storedAll = async (indexer: Indexer) => {
    const rows = await indexer.store.kysely.selectFrom('declaration').select(['uri', 'cid']).execute()
    return new Map(rows.map((r) => [r.uri, r.cid]))
  }

  beforeAll(async () => {
    net = await startLocalNetwork()
    fetcher = new SafeFetcher({ allowLoopback: true, maxBytes: 32 * 1024 * 1024 })
    // Published while no indexer runs.
    for (let i = 0; i < 6; i++) {
      const a = await net.createAccount(`early${i}`)
      const repo = a.agent.com.atproto.repo
      const record = (scope: unknown, preferences: Record<string, string>) => ({
        $type: DECL,
        scope,
        preferences,
        createdAt: now(),
      })
      if (i === 0) {
        await repo.putRecord({
          repo: a.did,
          collection: DECL,
          rkey: 'self',
          record: record(scopes.account(), { trainAi: 'deny' }),
        })
        await repo.createRecord({
          repo: a.did,
          collection: DECL,
          record: record(scopes.collection(bskyIds.post), { aiInput: 'deny' }),
        })
      } else if (i === 1) {
        await repo.putRecord({
          repo: a.did,
          collection: ids.OrgUserIntentsDemoDeclaration,
          rkey: 'self',
          record: {
            $type: ids.OrgUserIntentsDemoDeclaration,
            updatedAt: now(),
            syntheticContentGeneration: { allow: false, updatedAt: now() },
          },
        })
      } else if (i === 2) {
        await repo.createRecord({
          repo: a.did,
          collection: ids.CommunityLexiconPreferenceAi,
          record: {
            $type: ids.CommunityLexiconPreferenceAi,
            updatedAt: now(),
            scope: { $type: `${ids.CommunityLexiconPreferenceAi}#global` },
            preferences: { training: { allow: false } },
          },
        })
      } else {
        await repo.putRecord({
          repo: a.did,
          collection: DECL,
          rkey: 'self',
          record: record(scopes.account(), { search: 'deny' }),
        })
      }
      declaring.push(a)
    }
    poster = await net.createAccount('poster')
    await poster.agent.post({ text: 'old art #donottrain', createdAt: now() })
    idle = await net.createAccount('idle')
  })
  afterAll(async () => {
    await fetcher?.close()
    await net?.close()
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  it('finds what was published before it ran, with proofs, through listRepos + describeRepo on a PDS', async () => {
    const indexer = await start(tempDir())
    try {
      const summary = await indexer.backfill?.done
      expect(summary).toMatchObject({ completed: true, via: 'listRepos', done: 6, skipped: 2, failed: 0, remaining: 0 })
      const want = await truth()
      expect(want.size).toBe(7)
      expect(await storedAll(indexer)).toEqual(want)
      // posts and bios are not backfilled: they come from the firehose
      expect(await indexer.store.declarationsFor(poster.did)).toEqual([])
      expect(await indexer.store.getRepo(idle.did)).toBeUndefined()

      // each with a proof that verifies offline against the DID document
      const resolver = new DidResolver({ plcUrl: net.plcUrl, allowLoopback: true })
      try {
        const row = await indexer.store.kysely
          .selectFrom('declaration')
          .select(['did', 'collection', 'rkey', 'cid', 'proof'])
          .where('did', '=', declaring[0]?.did as string)
          .where('rkey', '=', 'self')
          .executeTakeFirstOrThrow()
        const proof = await verifyRecordProof(row.proof, {
          did: row.did,
          collection: row.collection,
          rkey: row.rkey,
          resolver,
        })
        expect(proof.ok && proof.value.recordCid).toBe(row.cid)
      } finally {
        await resolver.close()
      }

      // the backfilled repos are tracked: the firehose continues their chain
      const a = declaring[0] as TestAccount
      const next = await a.agent.com.atproto.repo.createRecord({
        repo: a.did,
        collection: DECL,
        record: {
          $type: DECL,
          scope: scopes.collection(bskyIds.profile),
          preferences: { trainAi: 'deny' },
          createdAt: now(),
        },
      })
      await waitFor(async () => (await storedAll(indexer)).get(next.data.uri) === next.data.cid, {
        what: 'a new declaration after the backfill',
        timeoutMs: 15_000,
      })
      expect(indexer.metrics.total('donottrain_rejections_total')).toBe(0)
      expect(indexer.metrics.get('donottrain_backfill_repos_total', { outcome: 'done' })).toBe(6)
    } finally {
      await indexer.stop()
    }
  })

  it('pages through listReposByCollection when the relay offers it', async () => {
    const byCollection = new Map<string, string[]>([
      [DECL, [0, 3, 4, 5].map((i) => declaring[i]?.did as string)],
      [ids.OrgUserIntentsDemoDeclaration, [declaring[1]?.did as string]],
      [ids.CommunityLexiconPreferenceAi, [declaring[2]?.did as string]],
    ])
    const asked: string[] = []
    const relay = await startRelay((url) => {
      if (url.pathname !== `/xrpc/${bskyIds.syncListReposByCollection}`) return undefined
      const collection = url.searchParams.get('collection') ?? ''
      const limit = Number(url.searchParams.get('limit'))
      const from = Number(url.searchParams.get('cursor') ?? 0)
      asked.push(`${collection}@${from}`)
      const all = byCollection.get(collection) ?? []
      const page = all.slice(from, from + limit)
      return { repos: page.map((did) => ({ did })), ...(from + limit < all.length && { cursor: String(from + limit) }) }
    })
    const indexer = await start(tempDir(), {
      env: { INDEXER_BACKFILL_URL: relay.url, INDEXER_BACKFILL_PAGE_SIZE: '3' },
      start: { follow: false },
    })
    try {
      const summary = await indexer.backfill?.done
      expect(summary).toMatchObject({ completed: true, via: 'listReposByCollection', found: 6, done: 6, failed: 0 })
      expect(asked).toEqual([
        `${DECL}@0`,
        `${DECL}@3`,
        `${ids.OrgUserIntentsDemoDeclaration}@0`,
        `${ids.CommunityLexiconPreferenceAi}@0`,
      ])
      expect(await storedAll(indexer)).toEqual(await truth())
    } finally {
      await indexer.stop()
      await relay.close()
    }
  })

  it('resumes an interrupted backfill from its persisted progress', async () => {
    const dir = tempDir()
    // First run: the PDS stops answering after three repositories (their record listings).
    const started = new Set<string>()
    const gated: SafeFetch = async (url, init) => {
      const u = new URL(url)
      const did = u.searchParams.get('repo')
      if (u.pathname.endsWith(`/${bskyIds.repoListRecords}`) && did && !started.has(did)) {
        if (started.size >= 3) return hang(init?.signal)
        started.add(did)
      }
      return fetcher.fetch(url, init)
    }
    const env = { INDEXER_RESYNC_CONCURRENCY: '1' }
    const first = await start(dir, { env, overrides: { pdsFetch: gated }, start: { follow: false } })
    await waitFor(() => (first.backfill?.progress().done ?? 0) >= 3, { what: 'three repositories backfilled' })
    await first.stop()
    const stopped = await first.backfill?.done
    expect(stopped).toMatchObject({ completed: false, done: 3 })
    expect(stopped?.remaining).toBeGreaterThan(0)

    // Second run: only what was left is fetched; the listing is not repeated.
    const seen: string[] = []
    const counting: SafeFetch = async (url, init) => {
      seen.push(String(url))
      return fetcher.fetch(url, init)
    }
    const second = await start(dir, { env, overrides: { pdsFetch: counting }, start: { follow: false } })
    try {
      const summary = await second.backfill?.done
      expect(summary).toMatchObject({ resumed: true, completed: true, done: 6, failed: 0 })
      expect(seen.some((u) => u.includes(`/${bskyIds.syncListRepos}?`))).toBe(false)
      const fetchedAgain = new Set(
        seen
          .filter((u) => u.includes(`/${bskyIds.repoListRecords}?`))
          .map((u) => new URL(u).searchParams.get('repo') as string),
      )
      expect([...fetchedAgain].filter((d) => started.has(d))).toEqual([])
      expect(fetchedAgain.size).toBe(6 - 3)
      expect(second.metrics.get('donottrain_backfill_repos_total', { outcome: 'done' })).toBe(3)
      expect(await storedAll(second)).toEqual(await truth())
    } finally {
      await second.stop()
    }
  })

  it('runs from the CLI: donottrain index --backfill --once', async () => {
    const dir = tempDir()
    const dbPath = join(dir, 'indexer.sqlite')
    const env = testIndexerEnv(net, net.pdsUrl, dbPath, FAST)
    const res = await runCli(['index', '--backfill', '--once', '--json'], { env })
    expect(res.stderr).toBe('')
    expect(res.code).toBe(0)
    expect(JSON.parse(res.stdout)).toMatchObject({ completed: true, done: 6, failed: 0 })
    const db = openDb({ dialect: 'sqlite', path: dbPath })
    try {
      const rows = await db.kysely.selectFrom('declaration').select(['uri', 'cid']).execute()
      expect(new Map(rows.map((r) => [r.uri, r.cid]))).toEqual(await truth())
    } finally {
      await db.close()
    }
    const usage = await runCli(['index', '--once'], { env })
    expect(usage.code).toBe(2)
    expect(usage.stderr).toContain('--once needs --backfill')
  })
})

/** A fetch that never answers until its signal aborts (a PDS gone quiet). */
function hang(signal: AbortSignal | undefined): Promise<{ ok: false; error: FetchFailedError }> {
  return new Promise((resolve) => {
    const done = () => resolve({ ok: false, error: new FetchFailedError('Aborted', 'aborted') })
    if (signal?.aborted) return done()
    signal?.addEventListener('abort', done, { once: true })
  })
}

/** A relay that answers some XRPC queries with JSON (undefined: 501). */
async function startRelay(answer: (url: URL) => unknown): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const body = answer(new URL(req.url ?? '/', 'http://relay'))
    res.writeHead(body === undefined ? 501 : 200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body ?? { error: 'MethodNotImplemented' }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
