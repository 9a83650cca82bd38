// Snapshots of a real indexer (local PDS + PLC): written by `donottrain snapshot` as a subprocess
// from the indexer's database while it runs, verified by SnapshotChecker, answering exactly as
// ai.donottrain.checkSubjects. Build first: npx tsc -b
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type DonottrainClient, login } from '@donottrain/client'
import { decodeEd25519Multikey, snapshotFromConfig } from '@donottrain/indexer'
import { type AiDonottrainDefs, bskyIds, ids } from '@donottrain/lexicon'
import { formatVerifierKey, manifestPathOf, openCheckpoint, SnapshotChecker } from '@donottrain/verifier'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type LocalNetwork,
  runCli as runCliShared,
  startLocalNetwork,
  type TestAccount,
  waitFor,
} from '../src/index.js'
import { startTestIndexer, type TestIndexer, testIndexerEnv } from './support/indexer.js'

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../packages/cli/dist/bin.js')

type Answer = { status?: AiDonottrainDefs.StatusView } & Partial<AiDonottrainDefs.SubjectError>

/** The built CLI as a subprocess with exactly this environment. */
const runCli = (args: string[], env: Record<string, string>) => runCliShared(args, { env, bin: CLI })

describe('signed snapshots of a real indexer', () => {
  let net: LocalNetwork
  let indexer: TestIndexer
  let alice: TestAccount
  let bob: TestAccount
  let aliceClient: DonottrainClient
  let bobClient: DonottrainClient
  let dir: string
  let verifierKey: string
  let postUri = ''

  const resolveHandle = async (handle: string) => {
    const res = await alice.agent.com.atproto.identity.resolveHandle({ handle }).catch(() => null)
    return res?.data.did ?? null
  }
  const checkSubjects = async (subjects: string[]): Promise<Answer[]> => {
    const res = await fetch(new URL(`/xrpc/${ids.AiDonottrainCheckSubjects}`, indexer.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subjects }),
    })
    expect(res.status, await res.clone().text()).toBe(200)
    const body = (await res.json()) as { results: Array<Record<string, unknown>> }
    return body.results.map((r) =>
      'verdict' in r ? { status: r as unknown as AiDonottrainDefs.StatusView } : (r as Answer),
    )
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'donottrain-snapshot-e2e-'))
    net = await startLocalNetwork()
    alice = await net.createAccount('snap-alice')
    bob = await net.createAccount('snap-bob')
    indexer = await startTestIndexer(net, { overrides: { resolveHandle } })
    aliceClient = await login({ identifier: alice.did, password: alice.password, plcUrl: net.plcUrl })
    bobClient = await login({ identifier: bob.did, password: bob.password, plcUrl: net.plcUrl })

    // Declarations of every scope; one revoked and one updated, so the snapshot is not the change log.
    await aliceClient.declare({ preferences: { trainAi: 'deny', search: 'allow' } })
    await aliceClient.declare({
      scope: { type: 'collection', collection: bskyIds.post },
      preferences: { aiInput: 'deny' },
    })
    const post = await bob.agent.com.atproto.repo.createRecord({
      repo: bob.did,
      collection: bskyIds.post,
      record: { $type: bskyIds.post, text: 'mine', createdAt: new Date().toISOString() },
    })
    postUri = post.data.uri
    await bobClient.declare({ scope: { type: 'record', uri: postUri }, preferences: { trainAi: 'deny' } })
    await bobClient.declare({
      scope: { type: 'origin', origin: `https://${bob.handle}` },
      preferences: { search: 'deny' },
    })
    await bobClient.declare({ preferences: { trainGenai: 'deny' } })
    await bobClient.revoke()
    await aliceClient.declare({ preferences: { trainAi: 'deny', search: 'deny' } })
    await waitFor(
      async () => {
        const [a, b, p] = await checkSubjects([alice.did, bob.did, postUri])
        return (
          a?.status?.verdict.search === 'deny' &&
          b?.status?.declarations.length === 0 &&
          p?.status?.verdict.trainAi === 'deny'
        )
      },
      { what: 'declarations indexed', timeoutMs: 20_000 },
    )
    const doc = (await (await fetch(new URL('/.well-known/did.json', indexer.url))).json()) as {
      verificationMethod: Array<{ publicKeyMultibase: string }>
    }
    const cp = await indexer.checkpointer.checkpoint()
    const origin = cp.note.split('\n')[0] as string
    verifierKey = formatVerifierKey(
      origin,
      decodeEd25519Multikey(doc.verificationMethod[0]?.publicKeyMultibase as string),
    )
    expect((await openCheckpoint(cp.note, verifierKey, { origin })).ok).toBe(true)
  }, 120_000)
  afterAll(async () => {
    await indexer?.close()
    await net?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('`donottrain snapshot` writes a snapshot a crawler verifies, answering exactly as checkSubjects', async () => {
    const out = join(dir, 'cli.ndjson.gz')
    const env = { HOME: dir, DONOTTRAIN_CONFIG_DIR: dir, ...testIndexerEnv(net, net.pdsUrl, indexer.dbPath) }
    const run = await runCli(['snapshot', '--out', out, '--json'], env as Record<string, string>)
    expect(run.code, run.stderr).toBe(0)
    const summary = JSON.parse(run.stdout) as { count: number; size: number; manifest: string }
    expect(summary.manifest).toBe(manifestPathOf(out))
    expect(summary.count).toBe(4) // alice: account + collection; bob: record + origin (account revoked)

    const opened = await SnapshotChecker.open(out, { verifierKey })
    if (!opened.ok) throw opened.error
    const snap = opened.value
    expect(snap.count).toBe(4)
    expect(snap.checkpoint.size).toBe(summary.size)
    expect(snap.declarationsOf(alice.did).every((d) => typeof d.logIndex === 'number')).toBe(true)

    const rkey = postUri.split('/').pop() as string
    const subjects = [
      alice.did,
      alice.handle,
      `at://${alice.did}/${bskyIds.post}`,
      `at://${alice.did}/${bskyIds.post}/3kabcabcabc22`,
      `at://${alice.did}/${bskyIds.list}/3kabcabcabc22`,
      bob.did,
      postUri,
      `https://bsky.app/profile/${bob.handle}/post/${rkey}`,
      `https://${bob.handle}/some/page`,
      'https://unknown.example/',
      'did:plc:unknownunknownunknown2',
      'not a subject',
    ]
    const theirs = await checkSubjects(subjects)
    const ours = await snap.checkAll(subjects, { resolveHandle })
    for (const [i, subject] of subjects.entries()) {
      const mine = ours[i]
      const indexers = theirs[i] as Answer
      if (!mine?.ok) {
        expect(indexers.error, subject).toBe(mine?.error.code)
        continue
      }
      const status = indexers.status as AiDonottrainDefs.StatusView
      expect(mine.value.verdicts, subject).toEqual(status.verdict)
      expect(mine.value.declarations.map((d) => `${d.uri} ${d.cid}`).sort(), subject).toEqual(
        status.declarations.map((d) => `${d.uri} ${d.cid}`).sort(),
      )
      expect(mine.value.subject.did, subject).toBe(status.subject.did)
    }
    expect(ours[0]?.ok && ours[0].value.verdicts).toMatchObject({ trainAi: 'deny', search: 'deny' })
    expect(ours[6]?.ok && ours[6].value.verdict).toBe('deny')
  })

  it('is consistent with one tree size while the indexer writes, and a tampered copy is rejected', async () => {
    const out = join(dir, 'lib.ndjson.gz')
    const writing = snapshotFromConfig(indexer.cfg, { out })
    await aliceClient.declare({
      scope: { type: 'collection', collection: bskyIds.list },
      preferences: { trainAi: 'deny' },
    })
    const summary = await writing
    const opened = await SnapshotChecker.open(out, { verifierKey })
    if (!opened.ok) throw opened.error
    // The declarations are those after exactly `size` leaves: one per current record as of that leaf.
    const entries = (await (
      await fetch(new URL(`/xrpc/${ids.AiDonottrainLogGetEntries}?start=0&limit=1000`, indexer.url))
    ).json()) as {
      entries: Array<{ seq: number; kind: string; did: string; collection?: string; rkey?: string; cid?: string }>
    }
    const state = new Map<string, string>()
    for (const e of entries.entries.slice(0, summary.size)) {
      const uri = `at://${e.did}/${e.collection}/${e.rkey}`
      if (e.kind === 'create' || e.kind === 'update') state.set(uri, e.cid as string)
      else if (e.kind === 'delete') state.delete(uri)
    }
    const held = [alice.did, bob.did].flatMap((did) => opened.value.declarationsOf(did).map((d) => [d.uri, d.cid]))
    const origins = 1 // bob's origin scope is held by origin, not by DID
    expect(held.length + origins).toBe(state.size)
    for (const [uri, cid] of held) expect(state.get(uri as string)).toBe(cid)

    const data = await readFile(out)
    data[data.length - 20] = (data[data.length - 20] as number) ^ 0xff
    const tampered = await SnapshotChecker.open(
      { dataBytes: data, manifestText: await readFile(manifestPathOf(out), 'utf8') },
      { verifierKey },
    )
    expect(tampered.ok || tampered.error.code).toBe('data-hash-mismatch')
  })
})
