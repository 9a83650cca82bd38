import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ids, scopes } from '@donottrain/lexicon'
import { type LocalNetwork, runCli, startLocalNetwork, type TestAccount } from '@donottrain/test'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/bin.js')

interface RunResult {
  code: number | null
  stdout: string
  stderr: string
}

let net: LocalNetwork
let dir: string
let alice: TestAccount
let revokedRkey = ''

function run(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return runCli(args, {
    env: {
      HOME: dir,
      DONOTTRAIN_CONFIG_DIR: dir,
      DONOTTRAIN_SERVICE: net.pdsUrl,
      DONOTTRAIN_PLC_URL: net.plcUrl,
      ...env,
    },
    timeoutMs: 30_000,
    bin: BIN,
  })
}

type Report = {
  uri: string
  asked: string
  proven: string
  holds: boolean
  cid?: string
  record?: Record<string, unknown>
  commit: { cid: string; rev: string; time: string; data: string }
  key: { didKey: string; type: string; id?: string }
  source: { pds?: string; file?: string }
}
const json = <T = Report>(r: RunResult): T => JSON.parse(r.stdout) as T
const declaration = {
  $type: ids.AiDonottrainDeclaration,
  scope: scopes.account(),
  preferences: { trainAi: 'deny' },
  createdAt: '2025-01-01T00:00:00.000Z',
}
const selfUri = () => `at://${alice.did}/${ids.AiDonottrainDeclaration}/self`

async function proofFile(name: string, rkey = 'self'): Promise<{ path: string; bytes: Uint8Array }> {
  const res = await net
    .agent()
    .com.atproto.sync.getRecord({ did: alice.did, collection: ids.AiDonottrainDeclaration, rkey })
  const path = join(dir, name)
  await writeFile(path, res.data)
  return { path, bytes: res.data }
}

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`build the CLI first (npx tsc -b packages/cli): missing ${BIN}`)
  net = await startLocalNetwork()
  dir = await mkdtemp(join(tmpdir(), 'donottrain-verify-'))
  alice = await net.createAccount('alice')
  const repo = alice.agent.com.atproto.repo
  await repo.putRecord({ repo: alice.did, collection: ids.AiDonottrainDeclaration, rkey: 'self', record: declaration })
  const scoped = await repo.createRecord({
    repo: alice.did,
    collection: ids.AiDonottrainDeclaration,
    record: { ...declaration, scope: scopes.collection('app.bsky.feed.post') },
  })
  revokedRkey = scoped.data.uri.split('/').pop() as string
  await repo.deleteRecord({ repo: alice.did, collection: ids.AiDonottrainDeclaration, rkey: revokedRkey })
})
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
  await net?.close()
})

describe('donottrain verify <at-uri>', () => {
  it('proves a declaration from the PDS and says by which key: exit 0', async () => {
    const r = await run(['verify', selfUri(), '--json'])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const report = json(r)
    const plcData = (await (await fetch(`${net.plcUrl}/${alice.did}/data`)).json()) as {
      verificationMethods: { atproto: string }
    }
    const latest = await net.agent().com.atproto.sync.getLatestCommit({ did: alice.did })
    const stored = await alice.agent.com.atproto.repo.getRecord({
      repo: alice.did,
      collection: ids.AiDonottrainDeclaration,
      rkey: 'self',
    })
    expect(report).toMatchObject({
      uri: selfUri(),
      asked: 'presence',
      proven: 'present',
      holds: true,
      cid: stored.data.cid,
      record: declaration,
      commit: { cid: latest.data.cid, rev: latest.data.rev },
      key: { didKey: plcData.verificationMethods.atproto, id: `${alice.did}#atproto` },
      source: { pds: net.pdsUrl },
    })
    expect(Date.parse(report.commit.time)).toBeGreaterThan(Date.now() - 600_000)
  })

  it('prints what was proven for people', async () => {
    const r = await run(['verify', `at://${alice.handle}/${ids.AiDonottrainDeclaration}/self`])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`^proven: ${selfUri()} exists\n`))
    expect(r.stdout).toMatch(/^ {2}signed {2}by did:key:z\S+, key did:plc:\S+#atproto of the DID document$/m)
  })

  it('a revoked declaration: presence is disproven (exit 3), absence is proven (exit 0)', async () => {
    const uri = `at://${alice.did}/${ids.AiDonottrainDeclaration}/${revokedRkey}`
    const present = await run(['verify', uri, '--json'])
    expect(present.code).toBe(3)
    expect(json(present)).toMatchObject({ asked: 'presence', proven: 'absent', holds: false })
    const absent = await run(['verify', uri, '--absence', '--json'])
    expect(absent.code).toBe(0)
    expect(json(absent)).toMatchObject({ asked: 'absence', proven: 'absent', holds: true })
    expect(json(absent).record).toBeUndefined()
    const human = await run(['verify', uri])
    expect(human.stdout).toMatch(/^disproven: you asked for presence, but the proof shows .* does not exist/)
  })

  it('an absence claim about a record that exists is disproven: exit 3', async () => {
    const r = await run(['verify', selfUri(), '--absence', '--json'])
    expect(r.code).toBe(3)
    expect(json(r)).toMatchObject({ asked: 'absence', proven: 'present', holds: false })
  })

  it('does not fetch from a PDS on a local address unless it is the configured service: exit 1', async () => {
    const r = await run(['verify', selfUri(), '--json'], { DONOTTRAIN_SERVICE: '' })
    expect(r.code).toBe(1)
    expect(json<{ error: { code: string; message: string } }>(r).error).toMatchObject({ code: 'Blocked' })
  })

  it('an unknown account is exit 1', async () => {
    const r = await run([
      'verify',
      `at://did:plc:aaaaaaaaaaaaaaaaaaaaaaaa/${ids.AiDonottrainDeclaration}/self`,
      '--json',
    ])
    expect(r.code).toBe(1)
    expect(json<{ error: { code: string } }>(r).error.code).toBe('UnresolvableSubject')
  })
})

describe('donottrain verify <proof.car>', () => {
  it('finds the record in the file and proves it: exit 0', async () => {
    const { path } = await proofFile('self.car')
    const r = await run(['verify', path, '--json'])
    expect(r.code).toBe(0)
    expect(json(r)).toMatchObject({ uri: selfUri(), proven: 'present', holds: true, source: { file: path } })
  })

  it('an absence proof file needs --uri, then proves the absence', async () => {
    const { path } = await proofFile('revoked.car', revokedRkey)
    const bare = await run(['verify', path, '--absence'])
    expect(bare.code).toBe(2)
    expect(bare.stderr).toMatch(/--uri/)
    const uri = `at://${alice.did}/${ids.AiDonottrainDeclaration}/${revokedRkey}`
    const r = await run(['verify', path, '--absence', '--uri', uri, '--json'])
    expect(r.code).toBe(0)
    expect(json(r)).toMatchObject({ uri, proven: 'absent', holds: true })
  })

  it('tampered record bytes, a truncated file, a missing file: exit 1 with the typed failure', async () => {
    const { bytes } = await proofFile('good.car')
    const tampered = Uint8Array.from(bytes)
    const at = Buffer.from(tampered).lastIndexOf('deny')
    tampered.set(new TextEncoder().encode('allw'), at)
    await writeFile(join(dir, 'tampered.car'), tampered)
    await writeFile(join(dir, 'truncated.car'), bytes.subarray(0, bytes.length - 10))
    const cases: [string, string][] = [
      ['tampered.car', 'CidMismatch'],
      ['truncated.car', 'MalformedCar'],
      ['missing.car', 'Failure'],
    ]
    for (const [file, code] of cases) {
      const r = await run(['verify', join(dir, file), '--uri', selfUri(), '--json'])
      expect(r.code, file).toBe(1)
      expect(json<{ error: { code: string } }>(r).error.code, file).toBe(code)
    }
  })

  it('after the key is rotated in the DID document, the old proof fails and says the key rotated', async () => {
    const { path } = await proofFile('before-rotation.car')
    const pds = net.network.pds.ctx
    // any other secp256k1 key: the one in the atproto DID spec's example document
    const next = 'did:key:zQ3shXjHeiBuRCKmM36cuYnm7YEMzhGnCmCyW92sRJ9pribSF'
    await pds.plcClient.updateAtprotoKey(alice.did, pds.plcRotationKey, next)
    const r = await run(['verify', path, '--json'])
    expect(r.code).toBe(1)
    const error = json<{ error: { code: string; message: string } }>(r).error
    expect(error.code).toBe('BadSignature')
    expect(error.message).toMatch(/current atproto key .*key rotated/)
  })
})

describe('donottrain verify --help', () => {
  it('has examples', async () => {
    const r = await run(['verify', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/Examples:\n {2}\$ donottrain verify /)
  })
})
