import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  type AiDonottrainDefs,
  bskyIds,
  ids,
  parseSubject,
  renderVerdict,
  type Scope,
  scopes,
  type VerdictSubject,
  verdictFor,
} from '@donottrain/lexicon'
import { type LocalNetwork, startLocalNetwork, type TestAccount } from '@donottrain/test'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SafeFetcher } from '../identity/ssrf.js'
import { createNetwork, type VerifierNetwork } from '../pds/network.js'
import { verifyReceipt } from '../receipt/verify-receipt.js'
import { signCheckpoint } from '../tlog/checkpoint.js'
import { generateNoteKey, parseSignerKey } from '../tlog/note-key.js'
import { Checker, type CheckerOptions } from './checker.js'
import type { SubjectCheck } from './types.js'

// The Checker against a small indexer served here from a real PDS's data (real proofs from
// com.atproto.sync.getRecord), then against that indexer lying, and against no indexer at all.

type Mode = 'honest' | 'flip-verdict' | 'tamper-proof' | 'wrong-subject' | 'error-500'

let net: LocalNetwork
let network: VerifierNetwork
let indexer: { url: string; mode: Mode; batches: number[]; proofs: string[]; close(): Promise<void> }
let alice: TestAccount // account-wide trainAi deny
let bob: TestAccount // nothing declared
let carol: TestAccount // #donottrain in the profile; a #donottrain post
let dave: TestAccount // declared, then revoked
let erin: TestAccount // posts: search deny for the collection; one post allowed for aiInput
let carolPost = ''
let erinPost = ''
const closers: (() => Promise<void>)[] = []

const declaration = (scope: object, preferences: Record<string, string>) => ({
  $type: ids.AiDonottrainDeclaration,
  scope,
  preferences,
  createdAt: '2025-01-01T00:00:00.000Z',
})

async function xrpc(method: string, params: Record<string, string>): Promise<Response> {
  return fetch(`${net.pdsUrl}/xrpc/${method}?${new URLSearchParams(params)}`)
}

type Listed = {
  records: { uri: string; cid: string; value: { scope: Record<string, unknown>; preferences: object } }[]
}

/** One account's head and declaration records, fetched once per batch (a batch names one account 1,000 times). */
const accounts = new Map<string, Promise<{ rev: string; listed: Listed } | undefined>>()
function accountState(did: string): Promise<{ rev: string; listed: Listed } | undefined> {
  let pending = accounts.get(did)
  if (!pending) {
    pending = (async () => {
      const latest = await xrpc('com.atproto.sync.getLatestCommit', { did })
      if (!latest.ok) return undefined
      const rev = ((await latest.json()) as { rev: string }).rev
      const res = await xrpc('com.atproto.repo.listRecords', { repo: did, collection: ids.AiDonottrainDeclaration })
      return { rev, listed: (await res.json()) as Listed }
    })()
    accounts.set(did, pending)
  }
  return pending
}

/** What an honest indexer would answer for one subject, built from the PDS's records. */
async function statusOf(input: string): Promise<AiDonottrainDefs.StatusView | AiDonottrainDefs.SubjectError> {
  const parsed = parseSubject(input)
  if (!parsed.ok) return { input, error: 'InvalidSubject', message: parsed.error.message }
  const subject = parsed.value
  if (subject.kind === 'web' || subject.kind === 'blob' || !('did' in subject.actor)) {
    return { input, error: 'UnresolvableSubject' }
  }
  const did = subject.actor.did
  const account = await accountState(did)
  if (!account) return { input, error: 'UnresolvableSubject' }
  const { rev, listed } = account
  const found: { view: AiDonottrainDefs.DeclarationView; scope: Scope }[] = []
  const base = { did, rev, indexedAt: new Date().toISOString() }
  for (const { uri, cid, value } of listed.records) {
    const type = String(value.scope.$type).split('#')[1]
    const scope: Scope =
      type === 'accountScope'
        ? { type: 'account' }
        : type === 'collectionScope'
          ? { type: 'collection', collection: value.scope.collection as string }
          : { type: 'record', uri: (value.scope.subject as { uri: string }).uri }
    const viewScope =
      scope.type === 'record'
        ? { $type: `${ids.AiDonottrainDefs}#recordTarget`, ...(value.scope.subject as object) }
        : value.scope
    found.push({
      scope,
      view: { ...base, uri, cid, source: 'declaration', scope: viewScope as never, preferences: value.preferences },
    })
  }
  const tagged = async (collection: string, rkey: string, field: string) => {
    const res = await xrpc('com.atproto.repo.getRecord', { repo: did, collection, rkey })
    if (!res.ok) return undefined
    const body = (await res.json()) as { uri: string; cid: string; value: Record<string, unknown> }
    return String(body.value[field] ?? '').includes('#donottrain') ? body : undefined
  }
  const profile = await tagged(bskyIds.profile, 'self', 'description')
  if (profile) {
    const scope = { $type: `${ids.AiDonottrainDeclaration}#accountScope` }
    const view = {
      ...base,
      uri: profile.uri,
      cid: profile.cid,
      source: 'profileTag',
      scope,
      preferences: { trainAi: 'deny' },
    }
    found.push({ scope: { type: 'account' }, view })
  }
  let verdictSubject: VerdictSubject = { kind: 'account', did }
  if (subject.kind === 'collection') verdictSubject = { kind: 'collection', did, collection: subject.collection }
  if (subject.kind === 'record') {
    verdictSubject = { kind: 'record', did, collection: subject.collection, rkey: subject.rkey }
    const post = subject.collection === bskyIds.post ? await tagged(bskyIds.post, subject.rkey, 'text') : undefined
    if (post) {
      const scope = { $type: `${ids.AiDonottrainDefs}#recordTarget`, uri: post.uri, cid: post.cid }
      const view = { ...base, uri: post.uri, cid: post.cid, source: 'postTag', scope, preferences: { trainAi: 'deny' } }
      found.push({ scope: { type: 'record', uri: post.uri }, view })
    }
  }
  const { verdict, applied } = verdictFor(
    verdictSubject,
    found.map((f) => ({ did, scope: f.scope, preferences: f.view.preferences as never, view: f.view })),
  )
  const view: AiDonottrainDefs.SubjectView = { input, kind: subject.kind, did }
  if (subject.kind === 'collection' || subject.kind === 'record') view.collection = subject.collection
  if (subject.kind === 'record') view.uri = `at://${did}/${subject.collection}/${subject.rkey}`
  return { subject: view, verdict, declarations: applied.map((a) => a.view), renderings: renderVerdict(verdict) }
}

async function startIndexer() {
  const state = {
    url: '',
    mode: 'honest' as Mode,
    batches: [] as number[],
    proofs: [] as string[],
    close: async () => {},
  }
  const send = (res: ServerResponse, status: number, body: unknown, type = 'application/json') => {
    res.writeHead(status, { 'content-type': type })
    res.end(type === 'application/json' ? JSON.stringify(body) : (body as Uint8Array))
  }
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (state.mode === 'error-500') return send(res, 500, { error: 'InternalServerError' })
    if (req.method === 'POST' && url.pathname === `/xrpc/${ids.AiDonottrainCheckSubjects}`) {
      const chunks: Buffer[] = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      const { subjects } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { subjects: string[] }
      if (subjects.length > 1000) return send(res, 400, { error: 'TooManySubjects' })
      state.batches.push(subjects.length)
      accounts.clear()
      const results = await Promise.all(subjects.map(statusOf))
      for (const r of results) {
        if (!('verdict' in r)) continue
        if (state.mode === 'flip-verdict' && r.verdict.trainAi === 'deny') {
          r.verdict = { ...r.verdict, trainAi: 'allow', trainGenai: 'allow' }
          r.declarations = []
        }
        if (state.mode === 'wrong-subject' && r.subject.did) r.subject.did = bob.did
      }
      return send(res, 200, { results })
    }
    if (req.method === 'GET' && url.pathname === `/xrpc/${ids.AiDonottrainGetProof}`) {
      const uri = url.searchParams.get('uri') ?? ''
      state.proofs.push(uri)
      const [did, collection, rkey] = uri.slice('at://'.length).split('/') as [string, string, string]
      const pds = await xrpc('com.atproto.sync.getRecord', { did, collection, rkey })
      const car = new Uint8Array(await pds.arrayBuffer())
      if (state.mode === 'tamper-proof') {
        const at = Buffer.from(car).lastIndexOf('deny')
        if (at >= 0) car.set(new TextEncoder().encode('allw'), at)
      }
      return send(res, 200, car, 'application/vnd.ipld.car')
    }
    send(res, 404, { error: 'MethodNotImplemented' })
  }
  const server = createServer((req, res) => {
    handle(req, res).catch((e) => send(res, 500, { error: 'InternalServerError', message: String(e) }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return state
}

async function closedUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return `http://127.0.0.1:${port}`
}

function checker(options: Partial<CheckerOptions> = {}): Checker {
  const c = new Checker({
    indexerUrl: indexer.url,
    resolver: network.dids,
    resolveHandle: network.resolveHandle,
    pdsFetch: network.fetch,
    ...options,
  })
  closers.push(() => c.close())
  return c
}

const value = <T>(r: { ok: true; value: T } | { ok: false; error: Error }): T => {
  if (!r.ok) throw r.error
  return r.value
}

beforeAll(async () => {
  net = await startLocalNetwork()
  network = createNetwork({ plcUrl: net.plcUrl, handleService: net.pdsUrl, trustedOrigins: [net.pdsUrl] })
  indexer = await startIndexer()
  ;[alice, bob, carol, dave, erin] = (await Promise.all(
    ['alice', 'bob', 'carol', 'dave', 'erin'].map((name) => net.createAccount(name)),
  )) as [TestAccount, TestAccount, TestAccount, TestAccount, TestAccount]
  const put = (acc: TestAccount, rkey: string, record: Record<string, unknown>) =>
    acc.agent.com.atproto.repo.putRecord({ repo: acc.did, collection: ids.AiDonottrainDeclaration, rkey, record })
  await put(alice, 'self', declaration(scopes.account(), { trainAi: 'deny' }))
  await carol.agent.com.atproto.repo.putRecord({
    repo: carol.did,
    collection: bskyIds.profile,
    rkey: 'self',
    record: { $type: bskyIds.profile, description: 'Illustrator. #donottrain' },
  })
  const post = await carol.agent.post({ text: 'new drawing #donottrain', createdAt: new Date().toISOString() })
  carolPost = post.uri
  await put(dave, 'self', declaration(scopes.account(), { trainAi: 'deny' }))
  await dave.agent.com.atproto.repo.deleteRecord({
    repo: dave.did,
    collection: ids.AiDonottrainDeclaration,
    rkey: 'self',
  })
  const erinPosted = await erin.agent.post({ text: 'hello', createdAt: new Date().toISOString() })
  erinPost = erinPosted.uri
  await put(erin, '3l2s5xxv2ze2c', declaration(scopes.collection(bskyIds.post), { search: 'deny' }))
  await put(
    erin,
    '3l2s5xxv2ze2d',
    declaration(scopes.record({ uri: erinPost, cid: erinPosted.cid }), { aiInput: 'allow' }),
  )
})

afterAll(async () => {
  for (const close of closers) await close()
  await indexer?.close()
  await network?.close()
  await net?.close()
})

describe('Checker with an honest indexer', () => {
  it('answers in input order, each answer proven, with errors in place', async () => {
    indexer.mode = 'honest'
    const c = checker()
    const results = await c.check([alice.did, bob.did, carolPost, 'not a subject!', `at://${alice.did}`, alice.did], {
      purpose: 'trainAi',
    })
    expect(results.length).toBe(6)
    const [a, b, p, bad, aUri, aAgain] = results
    expect(value(a as never)).toMatchObject({ input: alice.did, verdict: 'deny', allowed: false, basis: 'indexer' })
    expect(value(b as never)).toMatchObject({ input: bob.did, verdict: 'unknown', allowed: true, basis: 'indexer' })
    const post = value(p as never) as SubjectCheck
    expect(post).toMatchObject({
      verdict: 'deny',
      allowed: false,
      basis: 'indexer',
      subject: { kind: 'record', uri: carolPost },
    })
    expect(post.declarations.map((d) => d.source).sort()).toEqual(['postTag', 'profileTag'])
    expect(post.declarations[0]?.signingKey).toMatch(/^did:key:z/)
    expect(bad?.ok === false && bad.error.code).toBe('InvalidSubject')
    expect(value(aUri as never)).toMatchObject({ input: `at://${alice.did}`, verdict: 'deny' })
    expect(value(aAgain as never)).toMatchObject({ input: alice.did, verdict: 'deny' })
    const decl = (value(a as never) as SubjectCheck).declarations[0]
    expect(decl).toMatchObject({ source: 'declaration', uri: `at://${alice.did}/${ids.AiDonottrainDeclaration}/self` })
    expect(decl?.rev).toMatch(/^[2-7a-z]{13}$/)
  })

  it('answers each purpose from one verdict: the collection and record scopes of erin', async () => {
    const c = checker()
    const collection = `at://${erin.did}/${bskyIds.post}`
    const verdicts = async (purpose: 'search' | 'aiInput' | 'trainAi') =>
      (await c.check([erinPost, collection, erin.did], { purpose })).map((r) => r.ok && r.value.verdict)
    expect(await verdicts('search')).toEqual(['deny', 'deny', 'unknown'])
    expect(await verdicts('aiInput')).toEqual(['allow', 'unknown', 'unknown'])
    expect(await verdicts('trainAi')).toEqual(['unknown', 'unknown', 'unknown'])
  })

  it('resolves handles itself (bidirectionally) and asks the indexer about the input as given', async () => {
    const c = checker()
    const [r] = await c.check([`@${alice.handle}`])
    expect(value(r as never)).toMatchObject({ verdict: 'deny', subject: { did: alice.did, handle: alice.handle } })
    const [none] = await c.check(['nobody.test'])
    expect(none?.ok === false && none.error.code).toBe('UnresolvableSubject')
  })

  it('batches at most 1,000 subjects per checkSubjects call, and proves each declaration once', async () => {
    // The test indexer asks the real PDS for each of 1,000 subjects: give it time on a busy machine,
    // so a slow answer is not mistaken for an unreachable indexer (which falls back to the PDS).
    const c = checker({ timeoutMs: 150_000 })
    const subjects = Array.from(
      { length: 1001 },
      (_, i) => `at://${alice.did}/${bskyIds.post}/3l2s5xxv${(100 + i).toString(32).padStart(5, '2')}`,
    )
    indexer.batches = []
    indexer.proofs = []
    const results = await c.check(subjects)
    expect(indexer.batches).toEqual([1000, 1])
    expect(indexer.proofs).toEqual([`at://${alice.did}/${ids.AiDonottrainDeclaration}/self`])
    const wrong = results.filter((r) => !(r.ok && r.value.verdict === 'deny' && r.value.basis === 'indexer'))
    expect(wrong.slice(0, 3)).toEqual([])
    expect(results.map((r) => r.ok && r.value.input)).toEqual(subjects)
    const small = checker({ batchSize: 2 })
    indexer.batches = []
    await small.check([alice.did, bob.did, carol.did, dave.did, erin.did])
    expect(indexer.batches).toEqual([2, 2, 1])
  }, 180_000) // 1,001 subjects through a test indexer that asks the real PDS for each

  it('caches proven answers for cacheTtlMs', async () => {
    let now = Date.now()
    const c = checker({ cacheTtlMs: 60_000, now: () => now })
    indexer.batches = []
    const first = await c.check([alice.did, bob.did])
    const second = await c.check([alice.did, bob.did], { purpose: 'search' })
    expect(indexer.batches).toEqual([2])
    expect(first.map((r) => r.ok && r.value.cached)).toEqual([false, false])
    expect(second.map((r) => r.ok && r.value.cached)).toEqual([true, true])
    expect(value(second[0] as never)).toMatchObject({ purpose: 'search', verdict: 'unknown', allowed: true })
    now += 60_001
    await c.check([alice.did])
    expect(indexer.batches).toEqual([2, 1])
  })
})

describe('Checker receipts', () => {
  it("carry the proofs and the indexer's signed statement, and verify offline", async () => {
    const keys = await generateNoteKey('indexer.test')
    const signer = await parseSignerKey(keys.signerKey)
    if (!signer.ok) throw signer.error
    const note = await signCheckpoint(
      { origin: 'indexer.test/log', size: 3, rootHash: new Uint8Array(32).fill(1), extensions: [] },
      signer.value,
    )
    const c = checker({ statement: async () => note, indexerKey: keys.verifierKey })
    const [r] = await c.check([carolPost], { receipts: true })
    const receipt = (value(r as never) as SubjectCheck).receipt
    expect(receipt).toMatchObject({
      basis: 'indexer',
      indexer: indexer.url,
      statement: { note, key: keys.verifierKey },
    })
    expect(receipt?.proofs.map((p) => p.source).sort()).toEqual(['postTag', 'profileTag'])
    const verified = await verifyReceipt(JSON.stringify(receipt), {
      resolver: network.dids,
      trustedKeys: [keys.verifierKey],
    })
    expect(verified.ok && verified.value.statement).toMatchObject({ origin: 'indexer.test/log', trusted: true })

    const other = await generateNoteKey('indexer.test')
    const wrongKey = checker({ statement: async () => note, indexerKey: other.verifierKey })
    const [w] = await wrongKey.check([alice.did], { receipts: true })
    const check = value(w as never) as SubjectCheck
    expect(check.receipt?.statement).toBeUndefined()
    expect(check.notes.join('\n')).toMatch(/indexer statement rejected/)
  })
})

describe('Checker with an indexer that cannot be believed', () => {
  it.each([
    ['flip-verdict', 'VerdictMismatch'],
    ['tamper-proof', 'ProofInvalid'],
    ['wrong-subject', 'SubjectMismatch'],
    ['error-500', 'HttpError'],
  ] as const)('%s: answers from the PDS instead and says why (%s)', async (mode, code) => {
    indexer.mode = mode
    try {
      const [r] = await checker().check([alice.did])
      const check = value(r as never) as SubjectCheck
      expect(check).toMatchObject({ verdict: 'deny', allowed: false, basis: 'pds' })
      expect(check.notes.join('\n')).toContain(code)
      expect(check.declarations.map((d) => d.uri)).toEqual([`at://${alice.did}/${ids.AiDonottrainDeclaration}/self`])
    } finally {
      indexer.mode = 'honest'
    }
  })
})

describe('Checker with the indexer down', () => {
  it('falls back to the PDS, proving presence and absence (a revoked declaration)', async () => {
    const c = checker({ indexerUrl: await closedUrl() })
    const [a, d, p] = await c.check([alice.did, dave.did, carolPost])
    expect(value(a as never)).toMatchObject({ verdict: 'deny', basis: 'pds' })
    const revoked = value(d as never) as SubjectCheck
    expect(revoked).toMatchObject({ verdict: 'unknown', allowed: true, basis: 'pds', declarations: [] })
    expect(revoked.notes.join('\n')).toMatch(/indexer did not answer \(Unreachable\)/)
    expect(value(p as never)).toMatchObject({ verdict: 'deny', basis: 'pds' })
  })

  it('PDS unreachable too: fail-closed treats it as denied, fail-open as allowed, and says which', async () => {
    const guarded = new SafeFetcher() // the local PDS is on loopback: refused, as if unreachable
    closers.push(() => guarded.close())
    const down = await closedUrl()
    const closed = checker({ indexerUrl: down, pdsFetch: guarded.fetch, failMode: 'closed' })
    const open = checker({ indexerUrl: down, pdsFetch: guarded.fetch, failMode: 'open' })
    const [c] = await closed.check([bob.did])
    const [o] = await open.check([bob.did])
    expect(value(c as never)).toMatchObject({ verdict: 'unknown', allowed: false, basis: 'fail-closed', cached: false })
    expect(value(o as never)).toMatchObject({ verdict: 'unknown', allowed: true, basis: 'fail-open' })
    expect((value(c as never) as SubjectCheck).notes.join('\n')).toMatch(/pds did not prove an answer \(Blocked\)/)
    // unproven answers are not cached
    const [again] = await closed.check([bob.did])
    expect(value(again as never)).toMatchObject({ cached: false })
  })

  it('without an indexer URL, every subject is answered by its PDS', async () => {
    const [r] = await checker({ indexerUrl: undefined }).check([carol.did])
    expect(value(r as never)).toMatchObject({ verdict: 'deny', basis: 'pds', notes: [] })
  })
})
