// End-to-end: the built `donottrain` binary as a subprocess, against a real local PDS + PLC.
// Build first (`npm test` does): npx tsc -b packages/cli
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bskyIds, ids } from '@donottrain/lexicon'
import { type LocalNetwork, startLocalNetwork, type TestAccount } from '@donottrain/test'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/bin.js')
const COMMANDS = [
  'login',
  'logout',
  'declare',
  'revoke',
  'list',
  'status',
  'post',
  'profile',
  'check',
  'verify',
  'index',
]

interface RunResult {
  code: number | null
  stdout: string
  stderr: string
}

let net: LocalNetwork
let configDir: string
let alice: TestAccount
let bob: TestAccount

function run(args: string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<RunResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: {
        HOME: configDir,
        DONOTTRAIN_CONFIG_DIR: configDir,
        DONOTTRAIN_SERVICE: net.pdsUrl,
        DONOTTRAIN_PLC_URL: net.plcUrl,
        ...opts.env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8')
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8')
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolveRun({ code, stdout, stderr })
    })
    child.stdin.end(opts.input ?? '')
  })
}

const json = <T = Record<string, unknown>>(r: RunResult): T => JSON.parse(r.stdout) as T

async function rawRecord(did: string, collection: string, rkey: string): Promise<Record<string, unknown> | undefined> {
  const url = new URL('/xrpc/com.atproto.repo.getRecord', net.pdsUrl)
  url.search = new URLSearchParams({ repo: did, collection, rkey }).toString()
  const res = await fetch(url)
  return res.ok ? ((await res.json()) as { value: Record<string, unknown> }).value : undefined
}

async function rawCount(did: string): Promise<number> {
  const url = new URL('/xrpc/com.atproto.repo.listRecords', net.pdsUrl)
  url.search = new URLSearchParams({ repo: did, collection: ids.AiDonottrainDeclaration }).toString()
  return ((await (await fetch(url)).json()) as { records: unknown[] }).records.length
}

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`build the CLI first (npx tsc -b packages/cli): missing ${BIN}`)
  net = await startLocalNetwork()
  configDir = await mkdtemp(join(tmpdir(), 'donottrain-cli-'))
  alice = await net.createAccount('alice')
  bob = await net.createAccount('bob')
})
afterAll(async () => {
  if (configDir) await rm(configDir, { recursive: true, force: true })
  await net?.close()
})

describe('donottrain --help', () => {
  it('lists every command and exits 0', async () => {
    const r = await run(['--help'])
    expect(r.code).toBe(0)
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'))
  })

  it('feed publish --help has examples', async () => {
    const r = await run(['feed', 'publish', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Usage: donottrain feed publish')
    expect(r.stdout).toMatch(/Examples:\n {2}\$ donottrain feed publish/)
  })

  it.each(COMMANDS)('%s --help has examples', async (c) => {
    const r = await run([c, '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`Usage: donottrain ${c}`)
    expect(r.stdout).toMatch(/Examples:\n {2}\$ donottrain /)
  })
})

describe('usage errors exit 2', () => {
  it.each([
    [[], /Usage: donottrain/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['declare', '--deny', 'trainLLM'], /unknown purpose "trainLLM"/],
    [['declare', '--post', 'at://x', '--collection', bskyIds.post], /choose one scope/],
    [['declare', '--deny', 'search', '--allow', 'search'], /both allowed and denied: search/],
    [['profile'], /choose --tag or --untag/],
    [['status', 'did:plc:x', '--plc', 'ftp://nope'], /not an http\(s\) URL/],
  ])('donottrain %j', async (args, message) => {
    const r = await run(args)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
  })
})

describe('signed out', () => {
  it('commands that need a session fail with exit 1 and say what to do', async () => {
    const r = await run(['list'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('not signed in: run `donottrain login` first')
  })

  it('a wrong password is exit 1 with a readable message, or a JSON error', async () => {
    const env = { DONOTTRAIN_IDENTIFIER: alice.handle, DONOTTRAIN_APP_PASSWORD: 'wrong' }
    const r = await run(['login'], { env })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^error: wrong handle or password/)
    const j = await run(['login', '--json'], { env })
    expect(j.code).toBe(1)
    expect(json<{ error: { code: string } }>(j).error.code).toBe('InvalidCredentials')
    expect(existsSync(join(configDir, 'session.json'))).toBe(false)
  })
})

describe('a session: login, declare, status, list, revoke, logout', () => {
  it('logs in from the environment and saves the session with mode 0600', async () => {
    const r = await run(['login'], {
      env: { DONOTTRAIN_IDENTIFIER: alice.handle, DONOTTRAIN_APP_PASSWORD: alice.password },
    })
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`signed in as @${alice.handle} (${alice.did}) at ${net.pdsUrl}\n`)
    const file = join(configDir, 'session.json')
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    const saved = await readFile(file, 'utf8')
    expect(JSON.parse(saved).session.did).toBe(alice.did)
    expect(saved).not.toContain(alice.password)
    expect(r.stdout + r.stderr).not.toContain(alice.password)
  })

  it('declare with no options publishes a plain #donottrain; again changes nothing', async () => {
    const r = await run(['declare'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('created: account-wide trainAi=deny')
    expect(r.stdout).toContain(`at://${alice.did}/${ids.AiDonottrainDeclaration}/self`)
    expect(await rawRecord(alice.did, ids.AiDonottrainDeclaration, 'self')).toMatchObject({
      preferences: { trainAi: 'deny' },
    })
    const again = await run(['declare'])
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('already declared: account-wide trainAi=deny')
    expect(await rawCount(alice.did)).toBe(1)
  })

  it('declare --deny/--allow --json updates it', async () => {
    const r = await run([
      'declare',
      '--deny',
      'trainAi',
      'aiInput',
      '--allow',
      'search',
      '--statement',
      'Ask me.',
      '--json',
    ])
    expect(r.code).toBe(0)
    const res = json<{ action: string; record: { preferences: unknown; statement: string } }>(r)
    expect(res.action).toBe('updated')
    expect(res.record.preferences).toEqual({ trainAi: 'deny', aiInput: 'deny', search: 'allow' })
    expect(await rawRecord(alice.did, ids.AiDonottrainDeclaration, 'self')).toMatchObject({ statement: 'Ask me.' })
  })

  it('status --json gives the combined verdict, read from the PDS', async () => {
    const r = await run(['status', alice.handle, '--json'])
    expect(r.code).toBe(0)
    const res = json<{ subject: { did: string; handle: string }; verdict: Record<string, string> }>(r)
    expect(res.subject).toMatchObject({ did: alice.did, handle: alice.handle })
    expect(res.verdict).toEqual({ trainAi: 'deny', trainGenai: 'deny', aiInput: 'deny', search: 'allow' })
    const human = await run(['status', alice.did])
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/^ {2}trainGenai {2}deny$/m)
    expect(human.stdout).toMatch(/^ {2}search {6}allow$/m)
  })

  it('declares on a post (bsky.app url) and a collection; status of the post combines all three', async () => {
    const post = await alice.agent.com.atproto.repo.createRecord({
      repo: alice.did,
      collection: bskyIds.post,
      record: { $type: bskyIds.post, text: 'a drawing', createdAt: new Date().toISOString() },
    })
    const rkey = post.data.uri.split('/').pop()
    const url = `https://bsky.app/profile/${alice.handle}/post/${rkey}`
    const onPost = await run(['declare', '--post', url, '--deny', 'search'])
    expect(onPost.code).toBe(0)
    expect(onPost.stdout).toContain(`created: record ${post.data.uri} search=deny`)
    const onCollection = await run(['declare', '--collection', bskyIds.post, '--allow', 'trainGenai'])
    expect(onCollection.code).toBe(0)
    const r = await run(['status', url, '--json'])
    expect(r.code).toBe(0)
    expect(json<{ verdict: unknown }>(r).verdict).toEqual({
      trainAi: 'deny',
      trainGenai: 'deny',
      aiInput: 'deny',
      search: 'deny',
    })
  })

  it('refuses bad scopes with clear errors and writes nothing', async () => {
    const before = await rawCount(alice.did)
    const foreign = await bob.agent.com.atproto.repo.createRecord({
      repo: bob.did,
      collection: bskyIds.post,
      record: { $type: bskyIds.post, text: 'not yours', createdAt: new Date().toISOString() },
    })
    const f = await run(['declare', '--post', foreign.data.uri])
    expect(f.code).toBe(1)
    expect(f.stderr).toContain('you can only declare on records in your own account')
    expect(f.stderr).toContain('(ForeignRecord:')
    const missing = await run(['declare', '--post', `at://${alice.did}/${bskyIds.post}/3jzfcijpj2z2a`, '--json'])
    expect(missing.code).toBe(1)
    expect(json<{ error: { code: string } }>(missing).error.code).toBe('RecordNotFound')
    const http = await run(['declare', '--origin', `http://${alice.handle}`])
    expect(http.code).toBe(2)
    expect(http.stderr).toContain('(InvalidOrigin: origin must use https')
    const unbound = await run(['declare', '--origin', 'https://not-alice.invalid'])
    expect(unbound.code).toBe(1)
    expect(unbound.stderr).toContain('(OriginNotBound:')
    expect(await rawCount(alice.did)).toBe(before)
  })

  it('list shows every declaration with URI and CID', async () => {
    const r = await run(['list'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^3 declaration\(s\) of @alice\.test:/)
    expect(r.stdout).toMatch(/^ {2}self {2}account-wide {2}trainAi=deny aiInput=deny search=allow$/m)
    const j = json<{ entries: Array<{ uri: string; cid: string }> }>(await run(['list', '--json']))
    expect(j.entries).toHaveLength(3)
    for (const e of j.entries) expect(r.stdout).toContain(`${e.uri}  ${e.cid}`)
  })

  it('post --donottrain and profile --tag/--untag', async () => {
    const p = await run(['post', 'My art 🎨🧑‍🎨 stays mine', '--donottrain', '--json'])
    expect(p.code).toBe(0)
    const posted = json<{
      uri: string
      text: string
      facets: Array<{ index: { byteStart: number; byteEnd: number } }>
    }>(p)
    expect(posted.text).toBe('My art 🎨🧑‍🎨 stays mine #donottrain')
    const stored = await rawRecord(alice.did, bskyIds.post, posted.uri.split('/').pop() as string)
    const facet = ((stored?.facets ?? []) as typeof posted.facets)[0]
    expect(Buffer.from(posted.text).subarray(facet?.index.byteStart, facet?.index.byteEnd).toString()).toBe(
      '#donottrain',
    )

    await alice.agent.com.atproto.repo.putRecord({
      repo: alice.did,
      collection: bskyIds.profile,
      rkey: 'self',
      record: { $type: bskyIds.profile, displayName: 'Alice', description: 'I draw.' },
    })
    const tag = await run(['profile', '--tag'])
    expect(tag.code).toBe(0)
    expect(await rawRecord(alice.did, bskyIds.profile, 'self')).toEqual({
      $type: bskyIds.profile,
      displayName: 'Alice',
      description: 'I draw. #donottrain',
    })
    const untag = await run(['profile', '--untag', '--json'])
    expect(untag.code).toBe(0)
    expect(json<{ description: string }>(untag).description).toBe('I draw.')
  })

  it('revoke takes declarations back; revoking nothing is fine', async () => {
    const r = await run(['revoke'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`revoked 1 declaration(s):\n  at://${alice.did}/${ids.AiDonottrainDeclaration}/self`)
    expect(await rawRecord(alice.did, ids.AiDonottrainDeclaration, 'self')).toBeUndefined()
    const again = await run(['revoke'])
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('nothing to revoke: no declaration for account-wide')
    const all = await run(['revoke', '--all', '--json'])
    expect(all.code).toBe(0)
    expect(json<{ revoked: unknown[] }>(all).revoked).toHaveLength(2)
    expect(await rawCount(alice.did)).toBe(0)
    const s = await run(['status', alice.did, '--json'])
    expect(json<{ verdict: { trainAi: string } }>(s).verdict.trainAi).toBe('unknown')
  })

  it('logout deletes the session', async () => {
    const r = await run(['logout'])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`signed out @${alice.handle}\n`)
    expect(existsSync(join(configDir, 'session.json'))).toBe(false)
    expect((await run(['declare'])).code).toBe(1)
  })
})

describe('login prompts', () => {
  it('reads the password from stdin after the prompt, without printing it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'donottrain-cli-'))
    try {
      const r = await run(['login', bob.handle], { env: { DONOTTRAIN_CONFIG_DIR: dir }, input: `${bob.password}\n` })
      expect(r.code).toBe(0)
      expect(r.stderr).toContain('App password: ')
      expect(r.stdout + r.stderr).not.toContain(bob.password)
      expect(r.stdout).toContain(`signed in as @${bob.handle}`)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('an empty answer is a usage error', async () => {
    const r = await run(['login', bob.handle], { input: '' })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('no password given')
  })

  it('a damaged session file is reported, exit 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'donottrain-cli-'))
    try {
      await writeFile(join(dir, 'session.json'), '{"version":1}', { mode: 0o600 })
      const r = await run(['list'], { env: { DONOTTRAIN_CONFIG_DIR: dir } })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('the saved session is damaged')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
