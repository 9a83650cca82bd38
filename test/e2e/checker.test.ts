// The crawler's Checker against the real indexer (not a test double): every answer proven from
// the indexer's proofs, the PDS fallback when the indexer is down, and a receipt that
// re-verifies offline with the indexer's signed checkpoint as its statement.
import { type DonottrainClient, login } from '@donottrain/client'
import { decodeEd25519Multikey } from '@donottrain/indexer'
import { bskyIds } from '@donottrain/lexicon'
import {
  Checker,
  createNetwork,
  formatVerifierKey,
  SafeFetcher,
  type VerifierNetwork,
  verifyReceipt,
} from '@donottrain/verifier'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LocalNetwork, startLocalNetwork, type TestAccount, waitFor } from '../src/index.js'
import { startTestIndexer, type TestIndexer } from './support/indexer.js'

describe('Checker against the real indexer', () => {
  let net: LocalNetwork
  let network: VerifierNetwork
  let indexer: TestIndexer
  let alice: TestAccount
  let bob: TestAccount
  let client: DonottrainClient
  const checkers: Checker[] = []

  const checker = (indexerUrl: string, failMode: 'closed' | 'open' = 'closed') => {
    const c = new Checker({
      indexerUrl,
      resolver: network.dids,
      resolveHandle: network.resolveHandle,
      pdsFetch: network.fetch,
      failMode,
      cacheTtlMs: 0,
    })
    checkers.push(c)
    return c
  }

  beforeAll(async () => {
    net = await startLocalNetwork()
    network = createNetwork({ plcUrl: net.plcUrl, handleService: net.pdsUrl, trustedOrigins: [net.pdsUrl] })
    alice = await net.createAccount('chk-alice')
    bob = await net.createAccount('chk-bob')
    indexer = await startTestIndexer(net, {
      overrides: {
        resolveHandle: async (handle) => {
          const res = await alice.agent.com.atproto.identity.resolveHandle({ handle }).catch(() => null)
          return res?.data.did ?? null
        },
      },
    })
    client = await login({ identifier: alice.did, password: alice.password, plcUrl: net.plcUrl })
  })
  afterAll(async () => {
    for (const c of checkers) await c.close()
    await indexer?.close()
    await network?.close()
    await net?.close()
  })

  it('believes the indexer only after proving its answer, for accounts and posts', async () => {
    const put = await client.declare({ preferences: { trainAi: 'deny' } })
    const post = await alice.agent.com.atproto.repo.createRecord({
      repo: alice.did,
      collection: bskyIds.post,
      record: { $type: bskyIds.post, text: 'hi', createdAt: new Date().toISOString() },
    })
    await waitFor(async () => (await indexer.store.declarationsFor(alice.did)).some((d) => d.cid === put.cid), {
      what: 'declaration indexed',
      timeoutMs: 15_000,
    })
    const c = checker(indexer.url)
    const results = await c.check([alice.did, post.data.uri, bob.did])
    const [a, p, b] = results.map((r) => {
      if (!r.ok) throw r.error
      return r.value
    })
    expect(a).toMatchObject({ verdict: 'deny', allowed: false, basis: 'indexer' })
    expect(a?.declarations.map((d) => d.uri)).toEqual([put.uri])
    expect(p).toMatchObject({ verdict: 'deny', allowed: false, basis: 'indexer' })
    expect(b).toMatchObject({ verdict: 'unknown', allowed: true, basis: 'indexer' })
  })

  it('falls back to the PDS when the indexer is unreachable, and fails closed or open when nothing answers', async () => {
    const down = 'http://127.0.0.1:9'
    const fromPds = await checker(down).check([alice.did])
    expect(fromPds[0]?.ok && fromPds[0].value).toMatchObject({ verdict: 'deny', basis: 'pds' })
    // The PDS unreachable too (a fetcher that refuses loopback): nothing can be proven.
    const refusing = new SafeFetcher({})
    try {
      const blocked = (failMode: 'closed' | 'open') => {
        const c = new Checker({
          indexerUrl: down,
          resolver: network.dids,
          resolveHandle: network.resolveHandle,
          pdsFetch: refusing.fetch,
          failMode,
          cacheTtlMs: 0,
        })
        checkers.push(c)
        return c
      }
      const [closed] = await blocked('closed').check([alice.did])
      const [open] = await blocked('open').check([alice.did])
      expect(closed?.ok && closed.value).toMatchObject({ basis: 'fail-closed', allowed: false })
      expect(open?.ok && open.value).toMatchObject({ basis: 'fail-open', allowed: true })
    } finally {
      await refusing.close()
    }
  })

  it('keeps a receipt carrying the indexer’s signed checkpoint, which re-verifies offline', async () => {
    const cp = await indexer.checkpointer.checkpoint()
    const doc = (await (await fetch(new URL('/.well-known/did.json', indexer.url))).json()) as {
      verificationMethod: Array<{ publicKeyMultibase: string }>
    }
    const publicKey = decodeEd25519Multikey(doc.verificationMethod[0]?.publicKeyMultibase as string)
    const origin = cp.note.split('\n')[0] as string
    const key = formatVerifierKey(origin, publicKey)
    const c = new Checker({
      indexerUrl: indexer.url,
      resolver: network.dids,
      resolveHandle: network.resolveHandle,
      pdsFetch: network.fetch,
      statement: async () => cp.note,
      indexerKey: key,
    })
    checkers.push(c)
    const [r] = await c.check([alice.did], { receipts: true })
    if (!r?.ok) throw r?.error
    expect(r.value.receipt).toBeDefined()
    const verified = await verifyReceipt(JSON.parse(JSON.stringify(r.value.receipt)), {
      resolver: network.dids,
      trustedKeys: [key],
    })
    expect(verified.ok, verified.ok ? '' : verified.error.message).toBe(true)
  })
})
