import { Secp256k1Keypair } from '@atproto/crypto'
import { ids, scopes } from '@donottrain/lexicon'
import { type LocalNetwork, startLocalNetwork, type TestAccount } from '@donottrain/test'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatDidKey } from '../crypto/index.js'
import { DidResolver } from '../identity/did-resolver.js'
import { verifyAbsence } from './verify-absence.js'
import { verifyRecordProof } from './verify-record.js'

// A key rotated in the DID document (a real PLC operation), checked with the project's own
// DidResolver: a proof signed by the old key no longer verifies, and the failure says why.

let net: LocalNetwork
let alice: TestAccount
const resolvers: DidResolver[] = []
const newResolver = () => {
  const resolver = new DidResolver({ plcUrl: net.plcUrl, allowLoopback: true })
  resolvers.push(resolver)
  return resolver
}
const opts = (resolver: DidResolver) => ({
  did: alice.did,
  collection: ids.AiDonottrainDeclaration,
  rkey: 'self',
  resolver,
})
const getProof = async (rkey = 'self') =>
  (await net.agent().com.atproto.sync.getRecord({ did: alice.did, collection: ids.AiDonottrainDeclaration, rkey })).data

beforeAll(async () => {
  net = await startLocalNetwork()
  alice = await net.createAccount('alice')
  await alice.agent.com.atproto.repo.putRecord({
    repo: alice.did,
    collection: ids.AiDonottrainDeclaration,
    rkey: 'self',
    record: {
      $type: ids.AiDonottrainDeclaration,
      scope: scopes.account(),
      preferences: { trainAi: 'deny' },
      createdAt: new Date().toISOString(),
    },
  })
})
afterAll(async () => {
  await Promise.all(resolvers.map((r) => r.close()))
  await net?.close()
})

describe('verifyRecordProof after a key rotation in the DID document', () => {
  it('the old proof fails against the new key, with BadSignature saying the key rotated', async () => {
    const car = await getProof()
    const cached = newResolver()
    const before = await verifyRecordProof(car, opts(cached))
    if (!before.ok) throw before.error
    const oldKey = formatDidKey(before.value.signingKey)

    const pds = net.network.pds.ctx
    const next = await Secp256k1Keypair.create()
    await pds.plcClient.updateAtprotoKey(alice.did, pds.plcRotationKey, next.did())

    // a resolver that has never seen the old key
    const fresh = newResolver()
    const key = await fresh.resolveAtprotoKey(alice.did)
    expect(key.ok && formatDidKey(key.value)).toBe(next.did())
    const after = await verifyRecordProof(car, opts(fresh))
    expect(after.ok).toBe(false)
    if (after.ok) return
    expect(after.error.code).toBe('BadSignature')
    expect(after.error.message).toBe(
      `signature does not match the current atproto key of did=${alice.did} (key rotated?)`,
    )

    // a resolver that cached the old key: the signature verifies with it, then a forced refresh
    // finds the new key — so it fails the same way, and the cache now holds the new key
    const stale = await verifyRecordProof(car, opts(cached))
    expect(stale.ok).toBe(true) // the cached key is still trusted until its TTL ends
    const refreshed = await cached.resolveAtprotoKey(alice.did, { forceRefresh: true })
    expect(refreshed.ok && formatDidKey(refreshed.value)).toBe(next.did())
    const now = await verifyRecordProof(car, opts(cached))
    expect(!now.ok && now.error.code).toBe('BadSignature')
    expect(oldKey).not.toBe(next.did())
  })

  it('an absence proof of a revoked account-wide declaration verifies; the record proof is RecordNotFound', async () => {
    // the PDS still signs with the key it holds, so point the document back at it first
    const pds = net.network.pds.ctx
    const signing = await pds.actorStore.keypair(alice.did)
    await pds.plcClient.updateAtprotoKey(alice.did, pds.plcRotationKey, signing.did())
    await alice.agent.com.atproto.repo.deleteRecord({
      repo: alice.did,
      collection: ids.AiDonottrainDeclaration,
      rkey: 'self',
    })
    const car = await getProof()
    const resolver = newResolver()
    const absent = await verifyAbsence(car, opts(resolver))
    if (!absent.ok) throw absent.error
    expect(formatDidKey(absent.value.signingKey)).toBe(signing.did())
    expect(absent.value.commit.time).toMatch(/^\d{4}-\d\d-\d\dT/)
    const present = await verifyRecordProof(car, opts(resolver))
    expect(!present.ok && present.error.code).toBe('RecordNotFound')
  })
})
