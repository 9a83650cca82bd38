import { Secp256k1Keypair } from '@atproto/crypto'
import { bskyIds, ids, scopes } from '@donottrain/lexicon'
import { type LocalNetwork, startLocalNetwork, type TestAccount } from '@donottrain/test'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Checker } from '../check/checker.js'
import { SafeFetcher } from '../identity/ssrf.js'
import { createNetwork, type VerifierNetwork } from '../pds/network.js'
import { fromBase64, toBase64 } from '../tlog/bytes.js'
import { signCheckpoint } from '../tlog/checkpoint.js'
import { generateNoteKey, parseSignerKey } from '../tlog/note-key.js'
import type { Receipt } from './types.js'
import { verifyReceipt } from './verify-receipt.js'

// Receipts made by a Checker from a real PDS's proofs, re-verified offline, then altered.

let net: LocalNetwork
let network: VerifierNetwork
let checker: Checker
let alice: TestAccount // account-wide trainAi deny, and #donottrain in the profile
let bob: TestAccount // nothing declared
let dave: TestAccount // declared, then revoked
let aliceReceipt: Receipt
let bobReceipt: Receipt

const declaration = {
  $type: ids.AiDonottrainDeclaration,
  scope: scopes.account(),
  preferences: { trainAi: 'deny' },
  createdAt: '2025-01-01T00:00:00.000Z',
}

async function receiptOf(subject: string, c: Checker = checker): Promise<Receipt> {
  const [result] = await c.check([subject], { purpose: 'trainAi', receipts: true })
  if (!result?.ok) throw result?.error
  if (!result.value.receipt) throw new Error('no receipt')
  // what a crawler keeps: the JSON
  return JSON.parse(JSON.stringify(result.value.receipt)) as Receipt
}

const verify = (receipt: unknown, opts: { trustedKeys?: string[] } = {}) =>
  verifyReceipt(typeof receipt === 'string' ? receipt : JSON.stringify(receipt), { resolver: network.dids, ...opts })

async function expectFailure(receipt: unknown, code: string, opts: { trustedKeys?: string[] } = {}) {
  const result = await verify(receipt, opts)
  if (result.ok) throw new Error(`expected ${code}, the receipt verified`)
  expect(result.error.code).toBe(code)
  return result.error
}

const copy = (r: Receipt): Receipt => structuredClone(r)

beforeAll(async () => {
  net = await startLocalNetwork()
  network = createNetwork({ plcUrl: net.plcUrl, trustedOrigins: [net.pdsUrl] })
  checker = new Checker({ resolver: network.dids, pdsFetch: network.fetch, resolveHandle: network.resolveHandle })
  ;[alice, bob, dave] = (await Promise.all(['alice', 'bob', 'dave'].map((n) => net.createAccount(n)))) as [
    TestAccount,
    TestAccount,
    TestAccount,
  ]
  const put = (acc: TestAccount) =>
    acc.agent.com.atproto.repo.putRecord({
      repo: acc.did,
      collection: ids.AiDonottrainDeclaration,
      rkey: 'self',
      record: declaration,
    })
  await put(alice)
  await alice.agent.com.atproto.repo.putRecord({
    repo: alice.did,
    collection: bskyIds.profile,
    rkey: 'self',
    record: { $type: bskyIds.profile, description: 'no scraping #donottrain' },
  })
  await put(dave)
  await dave.agent.com.atproto.repo.deleteRecord({
    repo: dave.did,
    collection: ids.AiDonottrainDeclaration,
    rkey: 'self',
  })
  aliceReceipt = await receiptOf(alice.did)
  bobReceipt = await receiptOf(bob.did)
})

afterAll(async () => {
  await checker?.close()
  await network?.close()
  await net?.close()
})

describe('verifyReceipt', () => {
  it('re-verifies a receipt offline: the proofs, the declarations they make, the verdict', async () => {
    expect(aliceReceipt).toMatchObject({ version: 1, basis: 'pds', purpose: 'trainAi', allowed: false })
    expect(aliceReceipt.verdict).toEqual({ trainAi: 'deny', trainGenai: 'deny', aiInput: 'unknown', search: 'unknown' })
    expect(aliceReceipt.proofs.map((p) => [p.uri.split('/').slice(3).join('/'), p.present, p.source])).toEqual([
      [`${ids.AiDonottrainDeclaration}/self`, true, 'declaration'],
      [`${bskyIds.profile}/self`, true, 'profileTag'],
      [`${ids.OrgUserIntentsDemoDeclaration}/self`, false, undefined],
    ])
    const result = await verify(aliceReceipt)
    if (!result.ok) throw result.error
    expect(result.value.proven).toBe(true)
    expect(result.value.declarations.map((d) => d.source)).toEqual(['declaration', 'profileTag'])
    expect(result.value.declarations[0]?.signingKey).toMatch(/^did:key:z/)
    expect(result.value.absences.length).toBe(1)
  })

  it('a revoked declaration: the receipt proves its absence and verifies as unknown', async () => {
    const receipt = await receiptOf(dave.did)
    expect(receipt).toMatchObject({ allowed: true, verdict: { trainAi: 'unknown' } })
    expect(receipt.proofs.find((p) => p.uri.endsWith(`${ids.AiDonottrainDeclaration}/self`))?.present).toBe(false)
    const result = await verify(receipt)
    expect(result.ok && result.value.absences.map((a) => a.uri)).toContain(
      `at://${dave.did}/${ids.AiDonottrainDeclaration}/self`,
    )
  })

  it('VerdictMismatch when the verdict or allowed is changed, or a deny proof is left out', async () => {
    const allow = copy(aliceReceipt)
    allow.verdict.trainAi = 'allow'
    await expectFailure(allow, 'VerdictMismatch')
    const allowed = copy(aliceReceipt)
    allowed.allowed = true
    await expectFailure(allowed, 'VerdictMismatch')
    const dropped = copy(aliceReceipt)
    dropped.proofs = dropped.proofs.filter((p) => !p.present)
    await expectFailure(dropped, 'VerdictMismatch')
  })

  it('ProofFailed with the proof code for tampered record bytes, a truncated CAR, another account, a forged absence', async () => {
    const car = fromBase64(aliceReceipt.proofs[0]?.car as string) as Uint8Array
    const tampered = Uint8Array.from(car)
    tampered.set(new TextEncoder().encode('allw'), Buffer.from(tampered).lastIndexOf('deny'))
    const cases: [string, (r: Receipt) => void][] = [
      ['CidMismatch', (r) => Object.assign(r.proofs[0] as object, { car: toBase64(tampered) })],
      ['MalformedCar', (r) => Object.assign(r.proofs[0] as object, { car: toBase64(car.subarray(0, car.length - 5)) })],
      ['DidMismatch', (r) => Object.assign(r.proofs[0] as object, { car: bobReceipt.proofs[0]?.car })],
      ['RecordPresent', (r) => Object.assign(r.proofs[0] as object, { present: false })],
    ]
    for (const [proofCode, edit] of cases) {
      const receipt = copy(aliceReceipt)
      edit(receipt)
      const error = await expectFailure(receipt, 'ProofFailed')
      expect(error.proofCode, proofCode).toBe(proofCode)
    }
  })

  it('DeclarationMismatch for a proof of another account, another version, or another kind of declaration', async () => {
    const other = copy(aliceReceipt)
    other.proofs = [...other.proofs, { ...(bobReceipt.proofs[0] as Receipt['proofs'][number]) }]
    await expectFailure(other, 'DeclarationMismatch')
    const version = copy(aliceReceipt)
    ;(version.proofs[0] as { cid: string }).cid = aliceReceipt.proofs[1]?.cid as string
    await expectFailure(version, 'DeclarationMismatch')
    const kind = copy(aliceReceipt)
    ;(kind.proofs[0] as { source: string }).source = 'profileTag'
    await expectFailure(kind, 'DeclarationMismatch')
  })

  it('MalformedReceipt for text that is not a receipt', async () => {
    await expectFailure('not json', 'MalformedReceipt')
    await expectFailure({ ...aliceReceipt, version: 2 }, 'MalformedReceipt')
    await expectFailure({ ...aliceReceipt, proofs: [{ uri: 'x', present: true, car: '!!' }] }, 'MalformedReceipt')
    await expectFailure({ ...aliceReceipt, verdict: { trainAi: 'maybe' } }, 'MalformedReceipt')
  })

  it("checks the indexer's signed statement: valid, trusted, untrusted, tampered", async () => {
    const keys = await generateNoteKey('indexer.example')
    const signer = await parseSignerKey(keys.signerKey)
    if (!signer.ok) throw signer.error
    const note = await signCheckpoint(
      { origin: 'indexer.example/log', size: 5, rootHash: new Uint8Array(32).fill(7), extensions: [] },
      signer.value,
    )
    const receipt = { ...copy(aliceReceipt), basis: 'indexer', statement: { note, key: keys.verifierKey } }
    const plain = await verify(receipt)
    expect(plain.ok && plain.value.statement).toMatchObject({ origin: 'indexer.example/log', size: 5, trusted: false })
    const trusted = await verify(receipt, { trustedKeys: [keys.verifierKey] })
    expect(trusted.ok && trusted.value.statement?.trusted).toBe(true)
    const other = await generateNoteKey('other.example')
    await expectFailure(receipt, 'UntrustedStatementKey', { trustedKeys: [other.verifierKey] })
    const forged = { ...receipt, statement: { note: note.replace('\n5\n', '\n6\n'), key: keys.verifierKey } }
    await expectFailure(forged, 'StatementInvalid')
  })

  it('an unproven (fail-closed) receipt verifies as unproven, and cannot claim a verdict', async () => {
    const guarded = new SafeFetcher() // refuses the loopback PDS: nothing can be proven
    const closed = new Checker({ resolver: network.dids, pdsFetch: guarded.fetch, failMode: 'closed' })
    try {
      const receipt = await receiptOf(alice.did, closed)
      expect(receipt).toMatchObject({ basis: 'fail-closed', allowed: false, proofs: [] })
      const result = await verify(receipt)
      expect(result.ok && result.value.proven).toBe(false)
      await expectFailure({ ...receipt, allowed: true }, 'VerdictMismatch')
      await expectFailure({ ...receipt, verdict: aliceReceipt.verdict }, 'VerdictMismatch')
      await expectFailure({ ...receipt, proofs: aliceReceipt.proofs }, 'MalformedReceipt')
    } finally {
      await closed.close()
      await guarded.close()
    }
  })

  it('after the key is rotated in the DID document, the old receipt fails: BadSignature, key rotated', async () => {
    const pds = net.network.pds.ctx
    await pds.plcClient.updateAtprotoKey(alice.did, pds.plcRotationKey, (await Secp256k1Keypair.create()).did())
    const fresh = createNetwork({ plcUrl: net.plcUrl })
    try {
      const result = await verifyReceipt(aliceReceipt, { resolver: fresh.dids })
      expect(result.ok).toBe(false)
      if (result.ok) return
      expect(result.error).toMatchObject({ code: 'ProofFailed', proofCode: 'BadSignature' })
      expect(result.error.message).toMatch(/key rotated/)
    } finally {
      await fresh.close()
    }
  })
})
