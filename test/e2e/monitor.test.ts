// The transparency-log monitor against a real indexer (local PDS + PLC) and a tampering test
// double: a node:http proxy of the real indexer that serves a forged log (signed with the real
// key), a dropped leaf, a rolled-back tree, another key, or different trees to two clients.
// Also `donottrain monitor` as a subprocess for its exit codes. Build first: npx tsc -b
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type DonottrainClient, login } from '@donottrain/client'
import { ids } from '@donottrain/lexicon'
import {
  ed25519Signer,
  fromBase64,
  generateNoteKey,
  leafHash,
  MemoryTree,
  type MonitorReport,
  type MonitorState,
  type NoteSigner,
  parseSignerKey,
  runMonitor,
  signCheckpoint,
  toBase64,
  type ViolationCode,
} from '@donottrain/verifier'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type LocalNetwork,
  runCli as runCliShared,
  startLocalNetwork,
  type TestAccount,
  waitFor,
} from '../src/index.js'
import { startTestIndexer, type TestIndexer } from './support/indexer.js'

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../packages/cli/dist/bin.js')

interface Forgery {
  /** The leaves the double serves as the log. */
  leaves: Uint8Array[]
  /** Sign with this key instead of the indexer's. */
  signer?: NoteSigner
  /** Serve this did.json public key (base58 multikey) instead of the real one. */
  multikey?: string
}

/** A proxy of the real indexer; with a forgery, it serves that log instead (every log method). */
class TamperingIndexer {
  forgery: Forgery | undefined
  private server: Server
  url = ''

  constructor(
    private readonly upstream: string,
    private readonly realSigner: NoteSigner,
  ) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e) => {
        res.writeHead(500).end(String(e))
      })
    })
  }

  async start(): Promise<this> {
    await new Promise<void>((ok) => this.server.listen(0, '127.0.0.1', ok))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this
  }

  close(): Promise<void> {
    this.server.closeAllConnections()
    return new Promise((ok) => this.server.close(() => ok()))
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.upstream)
    const f = this.forgery
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    }
    if (f) {
      const tree = new MemoryTree()
      for (const leaf of f.leaves) tree.append(leaf)
      const p = url.searchParams
      const method = url.pathname.replace('/xrpc/', '')
      if (url.pathname === '/.well-known/did.json' && f.multikey) {
        const doc = (await (await fetch(url)).json()) as { verificationMethod: Array<{ publicKeyMultibase: string }> }
        for (const m of doc.verificationMethod) m.publicKeyMultibase = f.multikey
        return json(200, doc)
      }
      if (method === ids.AiDonottrainLogGetCheckpoint) {
        const signer = f.signer ?? this.realSigner
        const note = await signCheckpoint(
          { origin: this.realSigner.name, size: tree.size, rootHash: tree.rootAt(), extensions: [] },
          signer,
        )
        return json(200, {
          origin: this.realSigner.name,
          size: tree.size,
          rootHash: toBase64(tree.rootAt()),
          note,
          verifierKey: 'forged',
          createdAt: new Date().toISOString(),
        })
      }
      if (method === ids.AiDonottrainLogGetEntries) {
        const start = Number(p.get('start') ?? 0)
        const limit = Number(p.get('limit') ?? 100)
        const entries = f.leaves.slice(start, start + limit).map((leaf, i) => ({
          index: start + i,
          leaf: toBase64(leaf),
          leafHash: toBase64(leafHash(leaf)),
        }))
        return json(200, { entries })
      }
      if (method === ids.AiDonottrainLogGetInclusionProof) {
        const size = Number(p.get('treeSize') ?? tree.size)
        if (size > tree.size) return json(400, { error: 'TreeSizeTooLarge' })
        let index = p.has('index') ? Number(p.get('index')) : -1
        if (p.has('leafHash')) {
          const want = p.get('leafHash')
          index = f.leaves.findIndex((l) => toBase64(leafHash(l)) === want)
        }
        if (index < 0 || index >= size) return json(400, { error: 'LeafNotFound' })
        const hashes = tree.inclusionProof(index, size).map(toBase64)
        return json(200, {
          proof: {
            leafIndex: index,
            treeSize: size,
            leafHash: toBase64(leafHash(f.leaves[index] as Uint8Array)),
            hashes,
          },
        })
      }
      if (method === ids.AiDonottrainLogGetConsistencyProof) {
        const first = Number(p.get('first'))
        const second = Number(p.get('second'))
        if (second > tree.size || first > second) return json(400, { error: 'TreeSizeTooLarge' })
        return json(200, { first, second, hashes: tree.consistencyProof(first, second).map(toBase64) })
      }
    }
    const upstream = await fetch(url, { method: req.method ?? 'GET' })
    const body = Buffer.from(await upstream.arrayBuffer())
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' })
    res.end(body)
  }
}

/** 'z' + base58btc(0xed 0x01 || key): an Ed25519 Multikey. */
function ed25519Multikey(publicKey: Uint8Array): string {
  const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
  const bytes = [0xed, 0x01, ...publicKey]
  let n = BigInt(`0x${Buffer.from(bytes).toString('hex')}`)
  let out = ''
  while (n > 0n) {
    out = ALPHABET[Number(n % 58n)] + out
    n /= 58n
  }
  return `z${out}`
}

/** The built CLI as a subprocess with exactly this environment. */
const runCli = (args: string[], env: Record<string, string>) => runCliShared(args, { env, bin: CLI })

describe('transparency-log monitor', () => {
  let net: LocalNetwork
  let indexer: TestIndexer
  let alice: TestAccount
  let aliceClient: DonottrainClient
  let signer: NoteSigner
  let double: TamperingIndexer
  let honest: TamperingIndexer
  let dir: string
  let leaves: Uint8Array[] = []
  let declarationUri = ''

  const realLeaves = async (): Promise<Uint8Array[]> => {
    const cp = await indexer.checkpointer.checkpoint()
    const res = await fetch(new URL(`/xrpc/${ids.AiDonottrainLogGetEntries}?start=0&limit=1000`, indexer.url))
    const { entries } = (await res.json()) as { entries: Array<{ leaf: string }> }
    return entries.slice(0, cp.size).map((e) => fromBase64(e.leaf) as Uint8Array)
  }
  const codes = (r: MonitorReport) => r.violations.map((v) => v.code)
  const monitorOnce = async (opts: { url?: string; previous?: MonitorState; did?: string; compareUrl?: string }) => {
    const r = await runMonitor({ indexerUrl: opts.url ?? double.url, ...opts })
    if (!r.ok) throw r.error
    return r.value
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'donottrain-monitor-e2e-'))
    net = await startLocalNetwork()
    alice = await net.createAccount('mon-alice')
    indexer = await startTestIndexer(net)
    aliceClient = await login({ identifier: alice.did, password: alice.password, plcUrl: net.plcUrl })
    const put = await aliceClient.declare({ preferences: { trainAi: 'deny' } })
    declarationUri = put.uri
    await waitFor(
      async () => {
        const res = await fetch(new URL(`/xrpc/${ids.AiDonottrainGetStatus}?subject=${alice.did}`, indexer.url))
        return ((await res.json()) as { verdict?: { trainAi: string } }).verdict?.trainAi === 'deny'
      },
      { what: 'declaration indexed', timeoutMs: 20_000 },
    )
    await aliceClient.declare({ preferences: { trainAi: 'deny', search: 'deny' } })
    await waitFor(async () => (await realLeaves()).length >= 2, { what: 'two leaves', timeoutMs: 20_000 })
    leaves = await realLeaves()
    const seed = new Uint8Array(Buffer.from((await readFile(indexer.keyFile, 'utf8')).trim(), 'base64'))
    const cp = await indexer.checkpointer.checkpoint()
    signer = await ed25519Signer(cp.note.split('\n')[0] as string, seed)
    double = await new TamperingIndexer(indexer.url, signer).start()
    honest = await new TamperingIndexer(indexer.url, signer).start()
  }, 120_000)
  afterAll(async () => {
    await double?.close()
    await honest?.close()
    await indexer?.close()
    await net?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('the real indexer passes: signature, growth with a consistency proof, the account included', async () => {
    double.forgery = undefined
    const first = await monitorOnce({ url: indexer.url, did: alice.did })
    expect(first.violations).toEqual([])
    expect(first.ok).toBe(true)
    expect(first.included.map((i) => i.uri)).toEqual([declarationUri])
    await aliceClient.declare({
      scope: { type: 'collection', collection: ids.AiDonottrainDeclaration },
      preferences: { aiInput: 'deny' },
    })
    await waitFor(async () => (await realLeaves()).length > leaves.length, { what: 'log grew', timeoutMs: 20_000 })
    const second = await monitorOnce({ url: indexer.url, did: alice.did, previous: first.state as MonitorState })
    expect(second.violations).toEqual([])
    expect(second.checkpoint?.size).toBeGreaterThan(first.checkpoint?.size as number)
    expect(second.included).toHaveLength(2)
    // Through the honest proxy, as a second vantage point: the same log.
    const compared = await monitorOnce({
      url: indexer.url,
      compareUrl: honest.url,
      previous: second.state as MonitorState,
    })
    expect(compared.violations).toEqual([])
    leaves = await realLeaves()
  })

  const cases: Array<[string, () => Promise<Forgery>, ViolationCode, { did?: boolean; previous?: boolean }]> = [
    [
      'a checkpoint signed with another key',
      async () => {
        const k = await parseSignerKey((await generateNoteKey(signer.name)).signerKey)
        if (!k.ok) throw k.error
        return { leaves, signer: k.value }
      },
      'bad-signature',
      {},
    ],
    [
      'another key in did.json too (the key the monitor saw before changed)',
      async () => {
        const k = await parseSignerKey((await generateNoteKey(signer.name)).signerKey)
        if (!k.ok) throw k.error
        return { leaves, signer: k.value, multikey: ed25519Multikey(k.value.publicKey) }
      },
      'key-changed',
      { previous: true },
    ],
    ['a rolled-back tree', async () => ({ leaves: leaves.slice(0, -1) }), 'rollback', { previous: true }],
    [
      'a forked tree of the same size',
      async () => ({ leaves: [...leaves.slice(0, -1), Uint8Array.of(1, 2, 3)] }),
      'fork',
      { previous: true },
    ],
    [
      'a forked tree that grew (no consistency proof can exist)',
      async () => ({ leaves: [Uint8Array.of(9), ...leaves.slice(1), Uint8Array.of(1)] }),
      'inconsistent',
      { previous: true },
    ],
    [
      "a log that dropped the account's declaration leaf",
      async () => {
        const idx = await leafIndexOf(declarationUri)
        return { leaves: [...leaves.slice(0, idx), ...leaves.slice(idx + 1)] }
      },
      'missing-leaf',
      { did: true },
    ],
  ]

  const leafIndexOf = async (uri: string): Promise<number> => {
    const { decodeLeaf } = await import('@donottrain/verifier')
    const rkey = uri.split('/').pop()
    // The newest leaf of the account-wide declaration (its current version).
    let found = -1
    for (const [i, leaf] of leaves.entries()) {
      const f = decodeLeaf(leaf)
      if (f.ok && f.value.rkey === rkey && f.value.did === alice.did) found = i
    }
    return found
  }
  it.each(cases)('detects %s', async (_name, forge, code, opts) => {
    double.forgery = undefined
    const before = await monitorOnce({})
    expect(before.violations).toEqual([])
    double.forgery = await forge()
    const report = await monitorOnce({
      ...(opts.previous && { previous: before.state as MonitorState }),
      ...(opts.did && { did: alice.did }),
    })
    expect(codes(report)).toContain(code)
    expect(report.ok).toBe(false)
    // A violation never advances the state.
    expect(report.state).toEqual(opts.previous ? before.state : undefined)
  })

  it('detects a split view between two vantage points', async () => {
    honest.forgery = undefined
    double.forgery = { leaves: [...leaves.slice(0, -1), Uint8Array.of(7)] }
    const same = await monitorOnce({ url: honest.url, compareUrl: double.url })
    expect(codes(same)).toEqual(['split-view'])
    double.forgery = { leaves: [Uint8Array.of(7), ...leaves.slice(1), Uint8Array.of(8)] }
    const grown = await monitorOnce({ url: honest.url, compareUrl: double.url })
    expect(codes(grown)).toEqual(['split-view'])
    double.forgery = undefined
  })

  it('`donottrain monitor` exits 0 on an honest log, 3 on a violation, 1 when unreachable, 2 on bad usage', async () => {
    double.forgery = undefined
    const env = { HOME: dir, DONOTTRAIN_CONFIG_DIR: dir }
    const state = join(dir, 'state.json')
    const ok = await runCli(
      ['monitor', '--indexer', double.url, '--did', alice.did, '--state', state, '--once', '--json'],
      env,
    )
    expect(ok.code, ok.stderr).toBe(0)
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, violations: [] })
    expect(JSON.parse(await readFile(state, 'utf8'))).toMatchObject({ version: 1, size: leaves.length })

    double.forgery = { leaves: leaves.slice(0, -1) }
    const bad = await runCli(['monitor', '--indexer', double.url, '--state', state, '--once'], env)
    expect(bad.code).toBe(3)
    expect(bad.stdout).toContain('VIOLATION rollback')
    // The state was not advanced to the bad checkpoint.
    expect(JSON.parse(await readFile(state, 'utf8'))).toMatchObject({ size: leaves.length })
    double.forgery = undefined

    const down = await runCli(['monitor', '--indexer', 'http://127.0.0.1:1', '--once', '--json'], env)
    expect(down.code).toBe(1)
    expect(JSON.parse(down.stdout)).toMatchObject({ error: { code: 'unreachable' } })
    const usage = await runCli(['monitor', '--once'], env)
    expect(usage.code).toBe(2)
  })
})
