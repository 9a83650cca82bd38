import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ids, scopes } from '@donottrain/lexicon'
import { type LocalNetwork, runCli, startLocalNetwork, type TestAccount } from '@donottrain/test'
import { createNetwork, verifyReceipt } from '@donottrain/verifier'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/bin.js')

interface RunResult {
  code: number | null
  stdout: string
  stderr: string
}

let net: LocalNetwork
let dir: string
let alice: TestAccount // account-wide: trainAi deny, search allow
let bob: TestAccount // nothing declared

function run(args: string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<RunResult> {
  return runCli(args, {
    env: {
      HOME: dir,
      DONOTTRAIN_CONFIG_DIR: dir,
      DONOTTRAIN_SERVICE: net.pdsUrl,
      DONOTTRAIN_PLC_URL: net.plcUrl,
      ...opts.env,
    },
    ...(opts.input !== undefined && { input: opts.input }),
    timeoutMs: 30_000,
    bin: BIN,
  })
}

type CheckJson = {
  purpose: string
  allowed: boolean
  counts: { subjects: number; denied: number; errors: number }
  receipts?: string
  results: Array<{
    input: string
    ok: boolean
    verdict?: string
    allowed?: boolean
    basis?: string
    subject?: { did?: string; kind: string }
    verdicts?: Record<string, string>
    renderings?: { contentUsage: string; contentSignal: string; tdmReservation: number; robots: string }
    declarations?: Array<{ uri: string; source: string; signingKey: string; rev: string }>
    notes?: string[]
    error?: { code: string; message: string }
  }>
}
const json = (r: RunResult): CheckJson => JSON.parse(r.stdout) as CheckJson

async function closedUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return `http://127.0.0.1:${port}`
}

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`build the CLI first (npx tsc -b packages/cli): missing ${BIN}`)
  net = await startLocalNetwork()
  dir = await mkdtemp(join(tmpdir(), 'donottrain-check-'))
  alice = await net.createAccount('alice')
  bob = await net.createAccount('bob')
  await alice.agent.com.atproto.repo.putRecord({
    repo: alice.did,
    collection: ids.AiDonottrainDeclaration,
    rkey: 'self',
    record: {
      $type: ids.AiDonottrainDeclaration,
      scope: scopes.account(),
      preferences: { trainAi: 'deny', search: 'allow' },
      createdAt: '2025-01-01T00:00:00.000Z',
    },
  })
})
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
  await net?.close()
})

describe('donottrain check', () => {
  it('exit 3 when a subject is denied, with the --json shape', async () => {
    const r = await run(['check', alice.did, '--json'])
    expect(r.code).toBe(3)
    const out = json(r)
    expect(out).toMatchObject({ purpose: 'trainAi', allowed: false, counts: { subjects: 1, denied: 1, errors: 0 } })
    const [result] = out.results
    expect(result).toMatchObject({
      input: alice.did,
      ok: true,
      verdict: 'deny',
      allowed: false,
      basis: 'pds',
      subject: { did: alice.did, kind: 'account' },
      verdicts: { trainAi: 'deny', trainGenai: 'deny', aiInput: 'unknown', search: 'allow' },
      renderings: {
        contentUsage: 'train-ai=n, train-genai=n, search=y',
        contentSignal: 'ai-train=no, search=yes',
        tdmReservation: 1,
        robots: 'noai, noimageai',
      },
      notes: [],
    })
    expect(result?.declarations).toMatchObject([
      { uri: `at://${alice.did}/${ids.AiDonottrainDeclaration}/self`, source: 'declaration' },
    ])
    expect(result?.declarations?.[0]?.signingKey).toMatch(/^did:key:z/)
  })

  it('exit 0 when every subject may be used; 3 as soon as one may not', async () => {
    expect((await run(['check', bob.did])).code).toBe(0)
    expect((await run(['check', alice.did, '--purpose', 'search'])).code).toBe(0)
    expect((await run(['check', alice.did, '--purpose', 'train-genai'])).code).toBe(3)
    const both = await run(['check', bob.did, alice.did])
    expect(both.code).toBe(3)
    expect(both.stdout.split('\n')).toEqual([
      `allowed  ${bob.did}  (unknown, proven by pds)`,
      `denied   ${alice.did}  (deny, proven by pds)`,
      '',
    ])
  })

  it('reads subjects from stdin with -', async () => {
    const r = await run(['check', '-', '--json'], {
      input: `${bob.did}\n\nat://${alice.did}/app.bsky.feed.post/3l2s5xxv2ze2c\n`,
    })
    expect(r.code).toBe(3)
    expect(json(r).results.map((x) => [x.input, x.verdict])).toEqual([
      [bob.did, 'unknown'],
      [`at://${alice.did}/app.bsky.feed.post/3l2s5xxv2ze2c`, 'deny'],
    ])
  })

  it('exit 1 when a subject is not one or names no account; exit 2 for a bad purpose', async () => {
    const r = await run(['check', bob.did, 'not a subject', 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa', '--json'])
    expect(r.code).toBe(1)
    const out = json(r)
    expect(out.counts).toEqual({ subjects: 3, denied: 0, errors: 2 })
    expect(out.results.map((x) => x.error?.code)).toEqual([undefined, 'InvalidSubject', 'UnresolvableSubject'])
    const bad = await run(['check', bob.did, '--purpose', 'trainLLM'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/unknown purpose "trainLLM"/)
  })

  it('with the indexer down, answers from the PDS and says so', async () => {
    const r = await run(['check', alice.did, '--indexer', await closedUrl(), '--json'])
    expect(r.code).toBe(3)
    const [result] = json(r).results
    expect(result).toMatchObject({ verdict: 'deny', basis: 'pds' })
    expect(result?.notes?.join('\n')).toMatch(/indexer did not answer \(Unreachable\)/)
    const human = await run(['check', bob.did, '--indexer', await closedUrl()])
    expect(human.code).toBe(0)
    expect(human.stderr).toMatch(/^note: did:plc:\S+: indexer did not answer \(Unreachable\)/m)
  })

  it('nothing provable (the PDS is on a local address nobody configured): fail-closed exit 3, --fail-open exit 0', async () => {
    const env = { DONOTTRAIN_SERVICE: '' }
    const closed = await run(['check', bob.did, '--json'], { env })
    expect(closed.code).toBe(3)
    expect(json(closed).results[0]).toMatchObject({ verdict: 'unknown', allowed: false, basis: 'fail-closed' })
    const open = await run(['check', bob.did, '--fail-open', '--json'], { env })
    expect(open.code).toBe(0)
    expect(json(open).results[0]).toMatchObject({ verdict: 'unknown', allowed: true, basis: 'fail-open' })
  })

  it('--receipt writes receipts that verify offline', async () => {
    const file = join(dir, 'receipts.json')
    const r = await run(['check', alice.did, bob.did, '--receipt', file, '--json'])
    expect(r.code).toBe(3)
    expect(json(r).receipts).toBe(file)
    const receipts = JSON.parse(await readFile(file, 'utf8')) as unknown[]
    expect(receipts.length).toBe(2)
    const network = createNetwork({ plcUrl: net.plcUrl })
    try {
      for (const receipt of receipts) {
        const verified = await verifyReceipt(receipt, { resolver: network.dids })
        if (!verified.ok) throw verified.error
      }
      const [first] = receipts as { verdict: { trainAi: string } }[]
      expect(first?.verdict.trainAi).toBe('deny')
    } finally {
      await network.close()
    }
  })

  it('--help has examples', async () => {
    const r = await run(['check', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/Examples:\n {2}\$ donottrain check /)
  })
})
