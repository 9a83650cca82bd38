import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDb } from '@donottrain/indexer'
import { bskyIds, ids, scopes } from '@donottrain/lexicon'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LocalNetwork, repoRoot, startLocalNetwork } from '../src/index.js'

const KILLS = 24

describe('indexer crash consistency (SIGKILL while a writer publishes)', () => {
  let net: LocalNetwork
  let dir: string
  let child: ChildProcess | undefined

  beforeAll(async () => {
    net = await startLocalNetwork()
    dir = mkdtempSync(join(tmpdir(), 'donottrain-crash-'))
  })
  afterAll(async () => {
    child?.kill('SIGKILL')
    await net?.close()
    if (dir && !process.env.DEBUG_CRASH) rmSync(dir, { recursive: true, force: true })
  })

  let stderr = ''
  const dbPath = () => join(dir, 'indexer.sqlite')
  const start = () => {
    child = spawn(process.execPath, [join(repoRoot, 'services/indexer/dist/bin.js')], {
      env: {
        PATH: process.env.PATH,
        INDEXER_FIREHOSE_URL: net.pdsUrl,
        INDEXER_DB_URL: `sqlite:${dbPath()}`,
        INDEXER_KEY_FILE: join(dir, 'signing-key'),
        INDEXER_HOST: '127.0.0.1',
        INDEXER_PORT: '0',
        INDEXER_PLC_URL: net.plcUrl,
        INDEXER_ALLOW_LOOPBACK: 'true',
        INDEXER_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const c = child
    let out = ''
    connected = new Promise<void>((resolve) => {
      c.stdout?.on('data', (d: Buffer) => {
        if (process.env.DEBUG_CRASH) process.stdout.write(d)
        out = (out + d.toString()).slice(-4000)
        if (out.includes('"msg":"firehose connected"')) resolve()
      })
    })
    c.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000)
    })
    return c
  }
  let connected: Promise<void> = Promise.resolve()
  const kill = async () => {
    const c = child
    if (!c || c.exitCode !== null || c.signalCode !== null) return
    const exited = new Promise((resolve) => c.once('exit', resolve))
    c.kill('SIGKILL')
    await exited
  }

  it(`ends equal to the PDS after ${KILLS} kills: nothing lost, duplicated or resurrected`, async () => {
    const alice = await net.createAccount('crashy')
    const repo = alice.agent.com.atproto.repo
    const now = () => new Date().toISOString()
    const posts: string[] = []
    const scoped: string[] = []

    const writer = async () => {
      for (let i = 0; i < 90; i++) {
        const r = Math.random()
        if (r < 0.3) {
          const prefs = {
            trainAi: Math.random() < 0.5 ? 'deny' : 'allow',
            search: Math.random() < 0.5 ? 'deny' : 'allow',
          }
          await repo.putRecord({
            repo: alice.did,
            collection: ids.AiDonottrainDeclaration,
            rkey: 'self',
            record: {
              $type: ids.AiDonottrainDeclaration,
              scope: scopes.account(),
              preferences: prefs,
              createdAt: now(),
            },
          })
        } else if (r < 0.5) {
          const res = await alice.agent.post({ text: `post ${i} #donottrain`, createdAt: now() })
          posts.push(res.uri)
        } else if (r < 0.65 && posts.length > 0) {
          const uri = posts.splice(Math.floor(Math.random() * posts.length), 1)[0] as string
          await repo.deleteRecord({ repo: alice.did, collection: bskyIds.post, rkey: uri.split('/').pop() as string })
        } else if (r < 0.85) {
          const res = await repo.createRecord({
            repo: alice.did,
            collection: ids.AiDonottrainDeclaration,
            record: {
              $type: ids.AiDonottrainDeclaration,
              scope: scopes.collection(bskyIds.post),
              preferences: { aiInput: 'deny' },
              createdAt: now(),
            },
          })
          scoped.push(res.data.uri)
        } else if (scoped.length > 0) {
          const uri = scoped.splice(Math.floor(Math.random() * scoped.length), 1)[0] as string
          await repo.deleteRecord({
            repo: alice.did,
            collection: ids.AiDonottrainDeclaration,
            rkey: uri.split('/').pop() as string,
          })
        } else {
          await repo.deleteRecord({ repo: alice.did, collection: ids.AiDonottrainDeclaration, rkey: 'self' })
        }
        await new Promise((resolve) => setTimeout(resolve, 40 + Math.random() * 200))
      }
    }

    // A fresh indexer follows the stream live (history is the backfill's job), so the first
    // one must be connected and have a durable cursor before the writer starts.
    start()
    await connected
    await repo.putRecord({
      repo: alice.did,
      collection: ids.AiDonottrainDeclaration,
      rkey: 'self',
      record: {
        $type: ids.AiDonottrainDeclaration,
        scope: scopes.account(),
        preferences: { trainAi: 'deny' },
        createdAt: now(),
      },
    })
    await new Promise((resolve) => setTimeout(resolve, 1500))
    const writing = writer()
    for (let k = 0; k < KILLS; k++) {
      // Kill points land anywhere: during start-up, between events, inside transactions.
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 700))
      await kill()
      start()
    }
    await writing

    // The PDS's truth: every current declaration record and every current #donottrain post.
    const truth = new Map<string, string>()
    for (const collection of [ids.AiDonottrainDeclaration, bskyIds.post]) {
      const res = await repo.listRecords({ repo: alice.did, collection, limit: 100 })
      for (const r of res.data.records) truth.set(r.uri, r.cid)
    }
    expect(truth.size).toBeGreaterThan(0)

    // Let the last indexer catch up, then stop it gracefully (SIGTERM) and read the file it left.
    const read = async () => {
      const reader = openDb({ dialect: 'sqlite', path: dbPath() })
      try {
        const rows = await reader.kysely
          .selectFrom('declaration')
          .select(['uri', 'cid'])
          .where('did', '=', alice.did)
          .execute()
        const changes = await reader.kysely
          .selectFrom('change')
          .select(['uri', 'cid', 'kind'])
          .where('did', '=', alice.did)
          .orderBy('seq')
          .execute()
        return { rows, changes }
      } finally {
        await reader.close()
      }
    }
    const equalsTruth = (rows: Array<{ uri: string; cid: string }>) => {
      const got = new Map(rows.map((r) => [r.uri, r.cid]))
      return got.size === truth.size && [...truth].every(([uri, cid]) => got.get(uri) === cid)
    }
    let state = {
      rows: [] as Array<{ uri: string; cid: string }>,
      changes: [] as Array<{ uri: string | null; cid: string | null; kind: string }>,
    }
    for (let round = 0; round < 6 && !equalsTruth(state.rows); round++) {
      if (round > 0) start()
      await new Promise((resolve) => setTimeout(resolve, 2500 + round * 1000))
      const c = child as ChildProcess
      const exited = new Promise((resolve) => c.once('exit', resolve))
      c.kill('SIGTERM')
      await exited
      expect(c.exitCode, `graceful shutdown; stderr=${stderr}`).toBe(0)
      state = await read()
    }
    expect(new Map(state.rows.map((r) => [r.uri, r.cid]))).toEqual(truth)

    // The feed replays to the same state, and never repeats a version or deletes what is absent.
    const replay = new Map<string, string>()
    for (const { kind, cid, uri: maybeUri } of state.changes) {
      const c = { kind, cid, uri: maybeUri as string }
      if (c.kind === 'create') {
        expect(replay.has(c.uri), `create of a present uri ${c.uri}`).toBe(false)
        replay.set(c.uri, c.cid as string)
      } else if (c.kind === 'update') {
        expect(replay.get(c.uri), `update of an absent uri ${c.uri}`).toBeDefined()
        expect(replay.get(c.uri), `duplicate version ${c.uri}`).not.toBe(c.cid)
        replay.set(c.uri, c.cid as string)
      } else if (c.kind === 'delete') {
        expect(replay.delete(c.uri), `delete of an absent uri ${c.uri}`).toBe(true)
      }
    }
    expect(replay).toEqual(truth)
  }, 180_000)
})
