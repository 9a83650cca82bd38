import { stat } from 'node:fs/promises'
import { lexicons as atprotoLexicons } from '@atproto/api'
import { type DonottrainClient, login } from '@donottrain/client'
import { decodeEd25519Multikey } from '@donottrain/indexer'
import { type AiDonottrainDefs, type AiDonottrainLogDefs, bskyIds, ids, lexicons, scopes } from '@donottrain/lexicon'
import { readCar, verifyRecordProof } from '@donottrain/verifier'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LocalNetwork, startLocalNetwork, type TestAccount, waitFor } from '../src/index.js'
import { startTestIndexer, type TestIndexer } from './support/indexer.js'

type StatusView = AiDonottrainDefs.StatusView
type Change = AiDonottrainDefs.DeclarationChange

const now = () => new Date().toISOString()

describe('indexer XRPC API against a real PDS', () => {
  let net: LocalNetwork
  let indexer: TestIndexer
  let alice: TestAccount
  let bob: TestAccount
  let aliceClient: DonottrainClient

  const xrpc = (method: string, params: Record<string, string> = {}) => {
    const url = new URL(`/xrpc/${method}`, indexer.url)
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
    return fetch(url)
  }
  const getStatus = async (subject: string): Promise<StatusView> => {
    const res = await xrpc(ids.AiDonottrainGetStatus, { subject })
    expect(res.status, await res.clone().text()).toBe(200)
    return (await res.json()) as StatusView
  }
  const checkSubjects = (subjects: unknown) =>
    fetch(new URL(`/xrpc/${ids.AiDonottrainCheckSubjects}`, indexer.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subjects }),
    })
  const listAll = async (cursor?: string): Promise<Change[]> => {
    const out: Change[] = []
    let next = cursor
    for (;;) {
      const res = await xrpc(ids.AiDonottrainListDeclarations, { limit: '2', ...(next && { cursor: next }) })
      expect(res.status).toBe(200)
      const page = (await res.json()) as { changes: Change[]; cursor?: string }
      out.push(...page.changes)
      if (!page.cursor) return out
      next = page.cursor
    }
  }
  const waitVerdict = (subject: string, pred: (s: StatusView) => boolean, what: string) =>
    waitFor(
      async () => {
        const s = await getStatus(subject)
        return pred(s) && s
      },
      { what, timeoutMs: 15_000 },
    )
  const createPost = async (acc: TestAccount, text = 'hello') => {
    const res = await acc.agent.com.atproto.repo.createRecord({
      repo: acc.did,
      collection: bskyIds.post,
      record: { $type: bskyIds.post, text, createdAt: now() },
    })
    return res.data
  }

  beforeAll(async () => {
    net = await startLocalNetwork()
    alice = await net.createAccount('api-alice')
    bob = await net.createAccount('api-bob')
    indexer = await startTestIndexer(net, {
      overrides: {
        // .test handles do not resolve through DNS: ask the PDS, as an operator's resolver would ask DNS.
        resolveHandle: async (handle) => {
          const res = await alice.agent.com.atproto.identity.resolveHandle({ handle }).catch(() => null)
          return res?.data.did ?? null
        },
        feedPublisherDid: bob.did,
      },
    })
    aliceClient = await login({ identifier: alice.did, password: alice.password, plcUrl: net.plcUrl })
  })
  afterAll(async () => {
    await indexer?.close()
    await net?.close()
  })

  it('answers an account with no declarations as unknown, not as an error', async () => {
    const s = await getStatus(alice.did)
    expect(s.verdict).toEqual({ trainAi: 'unknown', trainGenai: 'unknown', aiInput: 'unknown', search: 'unknown' })
    expect(s.declarations).toEqual([])
    expect(s.renderings).toEqual({ contentUsage: '', contentSignal: '', tdmReservation: 0, robots: '' })
    expect(s.subject).toMatchObject({ kind: 'account', did: alice.did })
  })

  it('serves a declaration published with the client: verdict, sources, renderings, by DID and by handle', async () => {
    const put = await aliceClient.declare({ preferences: { trainAi: 'deny', search: 'allow' } })
    const s = await waitVerdict(alice.did, (v) => v.verdict.trainAi === 'deny', 'account deny indexed')
    expect(s.verdict).toEqual({ trainAi: 'deny', trainGenai: 'deny', aiInput: 'unknown', search: 'allow' })
    expect(s.declarations).toHaveLength(1)
    expect(s.declarations[0]).toMatchObject({ uri: put.uri, cid: put.cid, source: 'declaration', did: alice.did })
    expect(s.renderings).toEqual({
      contentUsage: 'train-ai=n, train-genai=n, search=y',
      contentSignal: 'ai-train=no, search=yes',
      tdmReservation: 1,
      robots: 'noai, noimageai',
    })
    expect(s.accountActive).toBe(true)
    const byHandle = await getStatus(alice.handle)
    expect(byHandle.subject).toMatchObject({ kind: 'account', did: alice.did, handle: alice.handle })
    expect(byHandle.verdict).toEqual(s.verdict)
  })

  it('combines most restrictively: account deny + post allow → deny, with both declarations listed', async () => {
    const post = await createPost(alice)
    await aliceClient.declare({ scope: { type: 'record', uri: post.uri }, preferences: { trainAi: 'allow' } })
    const s = await waitVerdict(post.uri, (v) => v.declarations.length === 2, 'record allow indexed')
    expect(s.verdict.trainAi).toBe('deny')
    expect(s.declarations.map((d) => d.scope.$type).sort()).toEqual(
      [`${ids.AiDonottrainDeclaration}#accountScope`, `${ids.AiDonottrainDefs}#recordTarget`].sort(),
    )
    expect(s.subject).toMatchObject({ kind: 'record', did: alice.did, uri: post.uri, collection: bskyIds.post })
    // The bsky.app URL of the same post is the same subject.
    const rkey = post.uri.split('/').pop() as string
    const web = await getStatus(`https://bsky.app/profile/${alice.handle}/post/${rkey}`)
    expect(web.subject.uri).toBe(post.uri)
    expect(web.verdict.trainAi).toBe('deny')
  })

  it('applies a collection scope to that collection only (posts, not likes)', async () => {
    const post = await createPost(bob)
    const like = await bob.agent.com.atproto.repo.createRecord({
      repo: bob.did,
      collection: 'app.bsky.feed.like',
      record: { $type: 'app.bsky.feed.like', subject: { uri: post.uri, cid: post.cid }, createdAt: now() },
    })
    await bob.agent.com.atproto.repo.createRecord({
      repo: bob.did,
      collection: ids.AiDonottrainDeclaration,
      record: {
        $type: ids.AiDonottrainDeclaration,
        scope: scopes.collection(bskyIds.post),
        preferences: { trainAi: 'deny' },
        createdAt: now(),
      },
    })
    const onPost = await waitVerdict(post.uri, (v) => v.verdict.trainAi === 'deny', 'collection scope indexed')
    expect(onPost.declarations).toHaveLength(1)
    const onLike = await getStatus(like.data.uri)
    expect(onLike.verdict.trainAi).toBe('unknown')
    expect(onLike.declarations).toEqual([])
    expect((await getStatus(bob.did)).verdict.trainAi).toBe('unknown')
    expect((await getStatus(`at://${bob.did}/${bskyIds.post}`)).verdict.trainAi).toBe('deny')
  })

  it('never lets an unverified origin produce a verdict', async () => {
    const put = await bob.agent.com.atproto.repo.createRecord({
      repo: bob.did,
      collection: ids.AiDonottrainDeclaration,
      record: {
        $type: ids.AiDonottrainDeclaration,
        scope: scopes.origin('https://not-bobs.example'),
        preferences: { trainAi: 'deny' },
        createdAt: now(),
      },
    })
    await waitFor(async () => (await listAll()).some((c) => c.uri === put.data.uri), {
      what: 'origin declaration indexed',
      timeoutMs: 15_000,
    })
    const s = await getStatus('https://not-bobs.example/some/page.html')
    expect(s.subject).toMatchObject({ kind: 'web', origin: 'https://not-bobs.example' })
    expect(s.verdict.trainAi).toBe('unknown')
    expect(s.declarations).toEqual([])
  })

  it('checkSubjects answers in input order, with subject errors in place', async () => {
    const subjects = [alice.did, 'not a subject', 'nobody-here.test', bob.did, alice.handle, alice.did]
    const res = await checkSubjects(subjects)
    expect(res.status).toBe(200)
    const { results } = (await res.json()) as { results: Array<StatusView | AiDonottrainDefs.SubjectError> }
    expect(results).toHaveLength(subjects.length)
    expect(results.map((r) => ('error' in r ? r.error : r.subject.input))).toEqual([
      alice.did,
      'InvalidSubject',
      'UnresolvableSubject',
      bob.did,
      alice.handle,
      alice.did,
    ])
    expect((results[0] as StatusView).verdict.trainAi).toBe('deny')
    expect((results[3] as StatusView).verdict.trainAi).toBe('unknown')
  })

  it('checkSubjects refuses 1,001 subjects with TooManySubjects, and accepts 1,000', async () => {
    const tooMany = await checkSubjects(Array.from({ length: 1001 }, () => alice.did))
    expect(tooMany.status).toBe(400)
    expect(await tooMany.json()).toMatchObject({ error: 'TooManySubjects' })
    const full = await checkSubjects(Array.from({ length: 1000 }, (_, i) => (i % 2 ? alice.did : bob.did)))
    expect(full.status).toBe(200)
    const body = (await full.json()) as { results: unknown[] }
    expect(body.results).toHaveLength(1000)
    // The server skips output validation for this method (cost); the shape is checked here.
    lexicons.assertValidXrpcOutput(ids.AiDonottrainCheckSubjects, body)
  })

  it('getProof serves a CAR that verifies against the author’s DID document', async () => {
    const s = await getStatus(alice.did)
    const uri = s.declarations[0]?.uri as string
    const res = await xrpc(ids.AiDonottrainGetProof, { uri })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('application/vnd.ipld.car')
    const car = new Uint8Array(await res.arrayBuffer())
    expect(readCar(car).ok).toBe(true)
    const { DidResolver } = await import('@donottrain/verifier')
    const resolver = new DidResolver({ plcUrl: net.plcUrl, allowLoopback: true })
    try {
      const proven = await verifyRecordProof(car, {
        did: alice.did,
        collection: ids.AiDonottrainDeclaration,
        rkey: 'self',
        resolver,
      })
      expect(proven.ok, proven.ok ? '' : proven.error.message).toBe(true)
      if (proven.ok) expect(proven.value.recordCid).toBe(s.declarations[0]?.cid)
    } finally {
      await resolver.close()
    }
    const missing = await xrpc(ids.AiDonottrainGetProof, { uri: `at://${bob.did}/${ids.AiDonottrainDeclaration}/self` })
    expect(missing.status).toBe(400)
    expect(await missing.json()).toMatchObject({ error: 'DeclarationNotFound' })
  })

  it('lists changes in index order and shows a revocation as a tombstone', async () => {
    const before = await listAll()
    const last = before.at(-1)?.seq ?? 0
    expect(before.map((c) => c.seq)).toEqual([...before.map((c) => c.seq)].sort((a, b) => a - b))
    const revoked = await aliceClient.revoke()
    const tombstone = await waitFor(
      async () => (await listAll(String(last))).find((c) => c.kind === 'delete' && c.did === alice.did),
      { what: 'tombstone in the feed', timeoutMs: 15_000 },
    )
    expect(tombstone.declaration).toBeUndefined()
    expect(tombstone.uri).toBe(`at://${alice.did}/${ids.AiDonottrainDeclaration}/self`)
    expect(revoked).toBeDefined()
    for (const c of [...before, tombstone]) {
      expect(lexicons.validate(`${ids.AiDonottrainDefs}#declarationChange`, c).success).toBe(true)
    }
  })

  it('subscribeDeclarations replays from an old cursor, then follows live', async () => {
    const { WebSocket } = await import('ws')
    const { Frame } = await import('@atproto/xrpc-server')
    const url = new URL(`/xrpc/${ids.AiDonottrainSubscribeDeclarations}`, indexer.url.replace('http', 'ws'))
    url.searchParams.set('cursor', '0')
    const got: Change[] = []
    const ws = new WebSocket(url)
    ws.on('message', (data: Buffer) => {
      const frame = Frame.fromBytes(new Uint8Array(data))
      if (frame.isMessage()) got.push((frame.body as unknown as { change: Change }).change)
    })
    try {
      const all = await listAll()
      await waitFor(() => got.length >= all.length, { what: 'replay', timeoutMs: 10_000 })
      expect(got.slice(0, all.length).map((c) => c.seq)).toEqual(all.map((c) => c.seq))
      const reput = await aliceClient.declare({ preferences: { trainAi: 'deny' } })
      const live = await waitFor(() => got.find((c) => c.kind === 'create' && c.cid === reput.cid), {
        what: 'live change',
        timeoutMs: 15_000,
      })
      expect(live.declaration?.uri).toBe(reput.uri)
    } finally {
      ws.close()
    }
  })

  it('subscribeDeclarations refuses a future cursor with FutureCursor', async () => {
    const { WebSocket } = await import('ws')
    const { Frame } = await import('@atproto/xrpc-server')
    const url = new URL(`/xrpc/${ids.AiDonottrainSubscribeDeclarations}`, indexer.url.replace('http', 'ws'))
    url.searchParams.set('cursor', '999999999')
    const ws = new WebSocket(url)
    const frame = await new Promise<InstanceType<typeof Frame>>((resolve, reject) => {
      ws.once('message', (data: Buffer) => resolve(Frame.fromBytes(new Uint8Array(data))))
      ws.once('error', reject)
    })
    expect(frame.isError() && frame.code).toBe('FutureCursor')
    ws.close()
  })

  it('serves its did:web document with an Ed25519 Multikey, from a key file kept at mode 0600', async () => {
    const res = await fetch(new URL('/.well-known/did.json', indexer.url))
    expect(res.status).toBe(200)
    const doc = (await res.json()) as {
      id: string
      verificationMethod: Array<{ type: string; publicKeyMultibase: string }>
      service: Array<{ type: string }>
    }
    expect(doc.id).toMatch(/^did:web:127\.0\.0\.1%3A\d+$/)
    const vm = doc.verificationMethod[0]
    expect(vm?.type).toBe('Multikey')
    expect(decodeEd25519Multikey(vm?.publicKeyMultibase as string)).toHaveLength(32)
    expect(doc.service.map((s) => s.type)).toContain('BskyFeedGenerator')
    const mode = (await stat(indexer.keyFile)).mode
    expect(mode & 0o777).toBe(0o600)
  })

  it('serves a feed skeleton valid per the app.bsky.feed lexicons', async () => {
    const tagged = await bob.agent.com.atproto.repo.createRecord({
      repo: bob.did,
      collection: bskyIds.post,
      record: {
        $type: bskyIds.post,
        text: 'no thanks #donottrain',
        facets: [
          {
            index: { byteStart: 10, byteEnd: 21 },
            features: [{ $type: bskyIds.facetTag, tag: 'donottrain' }],
          },
        ],
        createdAt: now(),
      },
    })
    const desc = await xrpc(bskyIds.feedDescribeFeedGenerator)
    const described = (await desc.json()) as { did: string; feeds: Array<{ uri: string }> }
    atprotoLexicons.assertValidXrpcOutput(bskyIds.feedDescribeFeedGenerator, described)
    const feed = described.feeds[0]?.uri as string
    expect(feed).toBe(`at://${bob.did}/${bskyIds.feedGenerator}/donottrain`)
    const skeleton = await waitFor(
      async () => {
        const res = await xrpc(bskyIds.feedGetFeedSkeleton, { feed, limit: '10' })
        const body = (await res.json()) as { feed: Array<{ post: string }> }
        return body.feed.some((i) => i.post === tagged.data.uri) && body
      },
      { what: 'tagged post in the feed', timeoutMs: 15_000 },
    )
    atprotoLexicons.assertValidXrpcOutput(bskyIds.feedGetFeedSkeleton, skeleton)
    expect(skeleton.feed[0]?.post).toBe(tagged.data.uri) // newest first
    const unknown = await xrpc(bskyIds.feedGetFeedSkeleton, { feed: `at://${alice.did}/${bskyIds.feedGenerator}/x` })
    expect(unknown.status).toBe(400)
  })

  it('logs every change in a signed, append-only transparency log a crawler can check', async () => {
    const {
      formatVerifierKey,
      fromBase64,
      leafHash,
      MemoryTree,
      openCheckpoint,
      verifyConsistency,
      verifyInclusion,
      verifyTlogProof,
    } = await import('@donottrain/verifier')
    const { decode } = await import('@atcute/cbor')
    // The log's key is the one in the indexer's did:web document.
    const doc = (await (await fetch(new URL('/.well-known/did.json', indexer.url))).json()) as {
      verificationMethod: Array<{ publicKeyMultibase: string }>
    }
    const publicKey = decodeEd25519Multikey(doc.verificationMethod[0]?.publicKeyMultibase as string)
    const first = await indexer.checkpointer.checkpoint()
    const cpRes = await xrpc(ids.AiDonottrainLogGetCheckpoint)
    expect(cpRes.status).toBe(200)
    const cp = (await cpRes.json()) as AiDonottrainLogDefs.CheckpointView
    expect(cp.size).toBe(first.size)
    const vkey = formatVerifierKey(cp.origin, publicKey)
    expect(vkey).toBe(cp.verifierKey)
    const opened = await openCheckpoint(cp.note, vkey, { origin: cp.origin })
    expect(opened.ok).toBe(true)
    expect((await openCheckpoint(cp.note.replace(`\n${cp.size}\n`, `\n${cp.size + 1}\n`), vkey)).ok).toBe(false)

    // Replaying every entry rebuilds the checkpoint's root; one leaf per change, in feed order.
    const entries: AiDonottrainLogDefs.Entry[] = []
    for (let start = 0; start < cp.size; start += 1000) {
      const res = await xrpc(ids.AiDonottrainLogGetEntries, { start: String(start), limit: '1000' })
      entries.push(...((await res.json()) as { entries: AiDonottrainLogDefs.Entry[] }).entries)
    }
    const tree = new MemoryTree()
    for (const e of entries) tree.append(fromBase64(e.leaf) as Uint8Array)
    expect(tree.size).toBe(cp.size)
    expect(Buffer.from(tree.rootAt()).toString('base64')).toBe(cp.rootHash)
    const changes = await listAll()
    expect(entries.map((e) => e.seq)).toEqual(changes.map((c) => c.seq).slice(0, cp.size))
    expect(decode(fromBase64(entries[0]?.leaf as string) as Uint8Array)).toMatchObject({ did: entries[0]?.did })

    // A declaration's leaf is provably in the checkpoint, also as a portable C2SP tlog-proof.
    const current = (await getStatus(alice.did)).declarations[0]
    const entry = entries.find((e) => e.cid === current?.cid) as AiDonottrainLogDefs.Entry
    const inc = await xrpc(ids.AiDonottrainLogGetInclusionProof, { leafHash: entry.leafHash })
    expect(inc.status).toBe(200)
    const { proof, tlogProof } = (await inc.json()) as { proof: AiDonottrainLogDefs.InclusionProof; tlogProof: string }
    const hashes = proof.hashes.map((h) => fromBase64(h) as Uint8Array)
    const root = fromBase64(cp.rootHash) as Uint8Array
    const lh = leafHash(fromBase64(entry.leaf) as Uint8Array)
    expect(verifyInclusion(lh, proof.leafIndex, proof.treeSize, hashes, root).ok).toBe(true)
    expect((await verifyTlogProof(tlogProof, lh, vkey)).ok).toBe(true)
    expect((await verifyTlogProof(tlogProof, leafHash(new Uint8Array([1])), vkey)).ok).toBe(false)

    // The log only grows: a later checkpoint is consistent with this one.
    await aliceClient.declare({ preferences: { trainAi: 'deny', aiInput: 'deny' } })
    await waitVerdict(alice.did, (v) => v.verdict.aiInput === 'deny', 'update indexed')
    const second = await indexer.checkpointer.checkpoint()
    expect(second.size).toBeGreaterThan(cp.size)
    const cons = await xrpc(ids.AiDonottrainLogGetConsistencyProof, {
      first: String(cp.size),
      second: String(second.size),
    })
    const { hashes: consHashes } = (await cons.json()) as { hashes: string[] }
    expect(
      verifyConsistency(
        cp.size,
        second.size,
        root,
        second.root,
        consHashes.map((h) => fromBase64(h) as Uint8Array),
      ).ok,
    ).toBe(true)
    const bad = await xrpc(ids.AiDonottrainLogGetConsistencyProof, { first: String(second.size + 5), second: '1' })
    expect(await bad.json()).toMatchObject({ error: 'InvalidRange' })
  })

  it('answers with inclusion proofs to a signed checkpoint, and answers for a past time from the log', async () => {
    const { fromBase64, formatVerifierKey, openCheckpoint, verifyInclusion } = await import('@donottrain/verifier')
    const doc = (await (await fetch(new URL('/.well-known/did.json', indexer.url))).json()) as {
      verificationMethod: Array<{ publicKeyMultibase: string }>
    }
    const publicKey = decodeEd25519Multikey(doc.verificationMethod[0]?.publicKeyMultibase as string)
    const provable = async (s: StatusView) => {
      const cp = s.checkpoint as AiDonottrainLogDefs.CheckpointView
      expect((await openCheckpoint(cp.note, formatVerifierKey(cp.origin, publicKey))).ok).toBe(true)
      expect(s.inclusions).toHaveLength(s.declarations.length)
      for (const [i, d] of s.declarations.entries()) {
        const inc = s.inclusions?.[i] as AiDonottrainLogDefs.InclusionProof
        expect(inc.leafIndex).toBe(d.logIndex)
        const hashes = inc.hashes.map((h) => fromBase64(h) as Uint8Array)
        const ok = verifyInclusion(
          fromBase64(inc.leafHash) as Uint8Array,
          inc.leafIndex,
          cp.size,
          hashes,
          fromBase64(cp.rootHash) as Uint8Array,
        )
        expect(ok.ok).toBe(true)
      }
    }
    const now = await getStatus(alice.did)
    expect(now.verdict.trainAi).toBe('deny')
    await provable(now)
    const before = new Date().toISOString()

    await aliceClient.revoke()
    await waitVerdict(alice.did, (v) => v.verdict.trainAi === 'unknown', 'revocation indexed')
    await indexer.checkpointer.checkpoint()

    const res = await xrpc(ids.AiDonottrainGetStatus, { subject: alice.did, at: before })
    expect(res.status, await res.clone().text()).toBe(200)
    const past = (await res.json()) as StatusView
    expect(past.at).toBe(before)
    expect(past.verdict).toEqual(now.verdict)
    expect(past.declarations.map((d) => d.cid)).toEqual(now.declarations.map((d) => d.cid))
    expect((past.checkpoint as AiDonottrainLogDefs.CheckpointView).size).toBeLessThan(
      ((await getStatus(alice.did)).checkpoint as AiDonottrainLogDefs.CheckpointView).size,
    )
    await provable(past)
    const tooEarly = await xrpc(ids.AiDonottrainGetStatus, { subject: alice.did, at: '2000-01-01T00:00:00.000Z' })
    expect(tooEarly.status).toBe(400)
    expect(await tooEarly.json()).toMatchObject({ error: 'NoCheckpoint' })
  })

  it('cuts off a subscriber that stops reading, without buffering the feed for it', async () => {
    const { WebSocket } = await import('ws')
    const slow = await startTestIndexer(net, { overrides: { subscriberHighWaterMark: 64 * 1024 } })
    try {
      // A big feed, written straight into the store: 20,000 valid changes of ~1 KB.
      const cid = 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm'
      const rows = Array.from({ length: 20_000 }, (_, i) => {
        const uri = `at://${alice.did}/${ids.AiDonottrainDeclaration}/3l3qo2vuts${i.toString(32).padStart(3, '2')}`
        const view = {
          $type: `${ids.AiDonottrainDefs}#declarationView`,
          uri,
          cid,
          did: alice.did,
          source: 'declaration',
          scope: { $type: `${ids.AiDonottrainDeclaration}#accountScope` },
          preferences: { trainAi: 'deny' },
          statement: 'x'.repeat(280),
          licenseUri: `https://example.com/${'l'.repeat(600)}`,
          rev: '3l3qo2vutsw2b',
          indexedAt: now(),
        }
        return {
          kind: 'create',
          did: alice.did,
          uri,
          cid,
          rev: '3l3qo2vutsw2b',
          indexed_at: now(),
          view: JSON.stringify(view),
        }
      })
      for (let i = 0; i < rows.length; i += 1000) {
        await slow.store.kysely
          .insertInto('change')
          .values(rows.slice(i, i + 1000))
          .execute()
      }
      const url = new URL(`/xrpc/${ids.AiDonottrainSubscribeDeclarations}`, slow.url.replace('http', 'ws'))
      url.searchParams.set('cursor', '0')
      const ws = new WebSocket(url)
      await new Promise((resolve) => ws.once('open', resolve))
      ;(ws as unknown as { _socket: { pause(): void } })._socket.pause() // a reader that stopped reading
      await waitFor(
        () => slow.metrics.get('donottrain_subscriber_cutoffs_total', { reason: 'ConsumerTooSlow' }) === 1,
        {
          what: 'ConsumerTooSlow cutoff',
          timeoutMs: 30_000,
        },
      )
      // It was sent what fit in its socket, not the whole feed.
      expect(slow.metrics.get('donottrain_subscriber_frames_total')).toBeLessThan(rows.length)
      await waitFor(() => ws.readyState === ws.CLOSED || ws.readyState === ws.CLOSING || undefined, {
        what: 'connection dropped',
        timeoutMs: 10_000,
      }).catch(() => undefined)
      ws.terminate()
    } finally {
      await slow.close()
    }
  })

  it('limits requests per client IP with a 429 and Retry-After, never /_health', async () => {
    const limited = await startTestIndexer(net, { env: { INDEXER_RATE_LIMIT_PER_MINUTE: '3' } })
    try {
      const url = new URL(`/xrpc/${ids.AiDonottrainGetStatus}`, limited.url)
      url.searchParams.set('subject', alice.did)
      const statuses: number[] = []
      for (let i = 0; i < 5; i++) statuses.push((await fetch(url)).status)
      expect(statuses).toEqual([200, 200, 200, 429, 429])
      const refused = await fetch(url)
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/)
      expect(await refused.json()).toMatchObject({ error: 'RateLimitExceeded' })
      expect((await fetch(new URL('/_health', limited.url))).status).toBe(200)
      expect(limited.metrics.get('donottrain_api_rate_limited_total')).toBeGreaterThanOrEqual(3)
    } finally {
      await limited.close()
    }
  })

  it('donottrain feed publish creates the generator record that names this indexer', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const { runCli } = await import('../src/index.js')
    const home = await mkdtemp(join(tmpdir(), 'donottrain-cli-'))
    const run = (args: string[]) =>
      runCli(args, {
        env: {
          HOME: home,
          DONOTTRAIN_CONFIG_DIR: home,
          DONOTTRAIN_SERVICE: net.pdsUrl,
          DONOTTRAIN_PLC_URL: net.plcUrl,
          DONOTTRAIN_IDENTIFIER: bob.did,
          DONOTTRAIN_APP_PASSWORD: bob.password,
        },
      })
    try {
      expect((await run(['login', '--json'])).code).toBe(0)
      const usage = await run(['feed', 'publish'])
      expect(usage.code).toBe(2)
      const published = await run(['feed', 'publish', '--indexer', indexer.url, '--json'])
      expect(published.code, published.stderr).toBe(0)
      const report = JSON.parse(published.stdout) as { uri: string; serviceDid: string; publisherDid: string }
      expect(report).toMatchObject({ serviceDid: indexer.did, publisherDid: bob.did })
      const record = await bob.agent.com.atproto.repo.getRecord({
        repo: bob.did,
        collection: bskyIds.feedGenerator,
        rkey: 'donottrain',
      })
      expect(record.data.value).toMatchObject({ did: indexer.did, displayName: '#donottrain' })
      atprotoLexicons.assertValidRecord(bskyIds.feedGenerator, record.data.value)
      // The indexer (INDEXER_FEED_PUBLISHER_DID = bob) describes exactly that feed.
      const desc = (await (await xrpc(bskyIds.feedDescribeFeedGenerator)).json()) as { feeds: Array<{ uri: string }> }
      expect(desc.feeds.map((f) => f.uri)).toEqual([report.uri])
    } finally {
      await rm(home, { recursive: true, force: true })
    }
  })

  describe('abuse: clean 400s with named errors, nothing else touched', () => {
    const huge = 'x'.repeat(100 * 1024)
    const sqlish = "x' OR 1=1; DROP TABLE declaration; --"
    const counts = async () => {
      const k = indexer.store.kysely
      const d = await k
        .selectFrom('declaration')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
      const c = await k
        .selectFrom('change')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
      return [Number(d.n), Number(c.n)]
    }

    it.each([
      [ids.AiDonottrainGetStatus, { subject: huge }, 'InvalidRequest'],
      [ids.AiDonottrainGetStatus, { subject: `did:plc:${'a'.repeat(9000)}` }, 'InvalidRequest'],
      [ids.AiDonottrainGetStatus, { subject: sqlish }, 'InvalidSubject'],
      [ids.AiDonottrainGetStatus, {}, 'InvalidRequest'],
      [ids.AiDonottrainListDeclarations, { limit: '1000000' }, 'InvalidRequest'],
      [ids.AiDonottrainListDeclarations, { limit: '-1' }, 'InvalidRequest'],
      [ids.AiDonottrainListDeclarations, { cursor: 'abc' }, 'InvalidCursor'],
      [ids.AiDonottrainListDeclarations, { cursor: '-5' }, 'InvalidCursor'],
      [ids.AiDonottrainListDeclarations, { cursor: sqlish }, 'InvalidCursor'],
      [ids.AiDonottrainListDeclarations, { cursor: huge }, 'InvalidRequest'],
      [ids.AiDonottrainGetProof, { uri: sqlish }, 'InvalidRequest'],
      [ids.AiDonottrainGetProof, { uri: huge }, 'InvalidRequest'],
    ])('%s with hostile params → 400 %s', async (method, params, error) => {
      const before = await counts()
      const res = await xrpc(method, params as Record<string, string>)
      expect(res.status).toBe(400)
      expect(await res.json()).toMatchObject({ error })
      expect(await counts()).toEqual(before)
    })

    it('rejects hostile checkSubjects bodies', async () => {
      const before = await counts()
      for (const body of [[huge], [], [1, 2], 'not-an-array', [sqlish, null]]) {
        const res = await checkSubjects(body)
        expect(res.status, JSON.stringify(body).slice(0, 40)).toBe(400)
        expect(((await res.json()) as { error: string }).error).toBe('InvalidRequest')
      }
      const sql = await checkSubjects([sqlish])
      expect(sql.status).toBe(200)
      expect(await sql.json()).toMatchObject({ results: [{ error: 'InvalidSubject' }] })
      expect(await counts()).toEqual(before)
    })

    it('answers an unknown method with a 501, and CORS preflights', async () => {
      const res = await xrpc('ai.donottrain.nothingHere')
      expect(res.status).toBe(501)
      const pre = await fetch(new URL(`/xrpc/${ids.AiDonottrainCheckSubjects}`, indexer.url), {
        method: 'OPTIONS',
        headers: { origin: 'https://crawler.example', 'access-control-request-method': 'POST' },
      })
      expect(pre.status).toBe(204)
      expect(pre.headers.get('access-control-allow-origin')).toBe('*')
      expect(pre.headers.get('access-control-allow-methods')).toContain('POST')
    })
  })
})
