import { createRequire } from 'node:module'
import { Secp256k1Keypair } from '@atproto/crypto'
import { type BlockMap as RepoBlockMap, verifyProofs } from '@atproto/repo'
import { bskyIds, ids } from '@donottrain/lexicon'
import { type LocalNetwork, startLocalNetwork, type TestAccount } from '@donottrain/test'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatDidKey, type ParsedKey, parseDidKey } from '../crypto/index.js'
import { cidForDagCbor, cidToString, decodeNode, encodeNode, invertOps, type MstOp, walkPath } from '../mst/index.js'
import { err, ok } from '../mst/result.js'
import { readCar } from './car-reader.js'
import { writeCar } from './car-writer.js'
import { decodeCommit, verifyCommitSignature } from './commit.js'
import { recordInCar } from './record-in-car.js'
import type { KeyResolver, VerifyProofOptions } from './types.js'
import { verifyAbsence } from './verify-absence.js'
import { verifyKeyProof, verifyRecordProof } from './verify-record.js'

// Proofs from a real PDS (com.atproto.sync.getRecord), then the same proofs broken on purpose.

type RepoCid = Parameters<RepoBlockMap['get']>[0]
const { CID } = createRequire(import.meta.url)('multiformats/cid') as { CID: { parse(text: string): RepoCid } }

let net: LocalNetwork
let alice: TestAccount
let bob: TestAccount
let aliceKey: ParsedKey
let resolver: KeyResolver
const postRkeys: string[] = []
let deletedRkey = ''
const declaration = {
  $type: ids.AiDonottrainDeclaration,
  scope: { $type: `${ids.AiDonottrainDeclaration}#accountScope` },
  preferences: { trainAi: 'deny' },
  createdAt: '2025-01-01T00:00:00.000Z',
}

const getProof = async (did: string, collection: string, rkey: string): Promise<Uint8Array> => {
  const res = await net.agent().com.atproto.sync.getRecord({ did, collection, rkey })
  return res.data
}

const randomKey = async (): Promise<ParsedKey> => {
  const parsed = parseDidKey((await Secp256k1Keypair.create()).did())
  if (!parsed.ok) throw parsed.error
  return parsed.value
}

/** A resolver that answers from a script and records how it was asked. */
function scriptedResolver(answers: ParsedKey[]): KeyResolver & { calls: { forceRefresh?: boolean }[] } {
  const calls: { forceRefresh?: boolean }[] = []
  return {
    calls,
    async resolveAtprotoKey(_did, opts) {
      calls.push({ ...opts })
      const key = answers[Math.min(calls.length - 1, answers.length - 1)]
      return key === undefined ? err(new Error('no key')) : ok(key)
    },
  }
}

const selfOpts = (): VerifyProofOptions => ({
  did: alice.did,
  collection: ids.AiDonottrainDeclaration,
  rkey: 'self',
  resolver,
})

/** Re-writes a CAR after changing its blocks (the CAR writer does not check hashes). */
function rewrite(
  car: Uint8Array,
  edit: (blocks: [string, Uint8Array][], root: string) => [string, Uint8Array][],
  root?: string,
) {
  const read = readCar(car)
  if (!read.ok) throw read.error
  return writeCar(root ?? read.value.root, edit([...read.value.blocks], read.value.root))
}

async function expectFailure(
  promise: Promise<{ ok: boolean; error?: { code: string; message: string } }>,
  code: string,
) {
  const result = await promise
  if (result.ok) throw new Error(`expected ${code}, got a verified proof`)
  expect(result.error?.code).toBe(code)
  return result.error as { code: string; message: string }
}

beforeAll(async () => {
  net = await startLocalNetwork()
  alice = await net.createAccount('alice')
  bob = await net.createAccount('bob')
  resolver = {
    async resolveAtprotoKey(did, opts) {
      try {
        return parseDidKey(await net.network.pds.ctx.idResolver.did.resolveAtprotoKey(did, opts?.forceRefresh))
      } catch (cause) {
        return err(cause instanceof Error ? cause : new Error(String(cause)))
      }
    },
  }
  const key = await resolver.resolveAtprotoKey(alice.did)
  if (!key.ok) throw key.error
  aliceKey = key.value
  const repo = alice.agent.com.atproto.repo
  await repo.putRecord({ repo: alice.did, collection: ids.AiDonottrainDeclaration, rkey: 'self', record: declaration })
  // enough records for a tree of several layers
  const writes = Array.from({ length: 150 }, (_, i) => ({
    $type: 'com.atproto.repo.applyWrites#create' as const,
    collection: bskyIds.post,
    value: { $type: bskyIds.post, text: `post ${i} #donottrain`, createdAt: new Date().toISOString() },
  }))
  for (let i = 0; i < writes.length; i += 50) {
    const res = await repo.applyWrites({ repo: alice.did, writes: writes.slice(i, i + 50) })
    for (const result of res.data.results ?? []) {
      if ('uri' in result && typeof result.uri === 'string') postRkeys.push(result.uri.split('/').pop() as string)
    }
  }
  const gone = await repo.createRecord({
    repo: alice.did,
    collection: ids.AiDonottrainDeclaration,
    record: {
      ...declaration,
      scope: { $type: `${ids.AiDonottrainDeclaration}#collectionScope`, collection: bskyIds.post },
    },
  })
  deletedRkey = gone.data.uri.split('/').pop() as string
  await repo.deleteRecord({ repo: alice.did, collection: ids.AiDonottrainDeclaration, rkey: deletedRkey })
  await bob.agent.com.atproto.repo.putRecord({
    repo: bob.did,
    collection: ids.AiDonottrainDeclaration,
    rkey: 'self',
    record: declaration,
  })
})

afterAll(async () => {
  await net?.close()
})

describe('verifyRecordProof', () => {
  it('verifies the PDS proof of a declaration, with the resolver and with an explicit key', async () => {
    const car = await getProof(alice.did, ids.AiDonottrainDeclaration, 'self')
    const latest = await net.agent().com.atproto.sync.getLatestCommit({ did: alice.did })
    const stored = await net.agent().com.atproto.repo.getRecord({
      repo: alice.did,
      collection: ids.AiDonottrainDeclaration,
      rkey: 'self',
    })
    for (const opts of [selfOpts(), { ...selfOpts(), resolver: undefined, key: aliceKey }]) {
      const result = await verifyRecordProof(car, opts)
      if (!result.ok) throw result.error
      const proof = result.value
      expect(JSON.parse(JSON.stringify(proof.record))).toEqual(declaration)
      expect(proof.recordCid).toBe(stored.data.cid)
      expect(proof.uri).toBe(`at://${alice.did}/${ids.AiDonottrainDeclaration}/self`)
      expect(proof.commit.cid).toBe(latest.data.cid)
      expect(proof.commit.rev).toBe(latest.data.rev)
      expect(proof.commit.did).toBe(alice.did)
      expect(proof.signingKey).toEqual(aliceKey)
    }
  })

  it('verifies proofs of many records through a multi-layer tree, as @atproto/repo verifyProofs does', async () => {
    expect(postRkeys.length).toBe(150)
    let deepest = 0
    for (const rkey of postRkeys.slice(0, 40)) {
      const car = await getProof(alice.did, bskyIds.post, rkey)
      const result = await verifyRecordProof(car, { did: alice.did, collection: bskyIds.post, rkey, key: aliceKey })
      if (!result.ok) throw result.error
      const read = readCar(car)
      if (!read.ok) throw read.error
      const path = walkPath(result.value.commit.data, `${bskyIds.post}/${rkey}`, read.value.blocks)
      if (!path.ok) throw path.error
      deepest = Math.max(deepest, path.value.nodes.length)
      const reference = await verifyProofs(
        car,
        [{ collection: bskyIds.post, rkey, cid: CID.parse(result.value.recordCid) }],
        alice.did,
        formatDidKey(aliceKey),
      )
      expect(reference.verified.length).toBe(1)
    }
    expect(deepest).toBeGreaterThanOrEqual(2)
  })

  it('RecordNotFound for a deleted record', async () => {
    const car = await getProof(alice.did, ids.AiDonottrainDeclaration, deletedRkey)
    const error = await expectFailure(verifyRecordProof(car, { ...selfOpts(), rkey: deletedRkey }), 'RecordNotFound')
    expect(error.message).toContain(deletedRkey)
  })

  it('DidMismatch when the proof is for another account', async () => {
    const car = await getProof(bob.did, ids.AiDonottrainDeclaration, 'self')
    const error = await expectFailure(verifyRecordProof(car, selfOpts()), 'DidMismatch')
    expect(error.message).toContain(bob.did)
  })

  it('BadSignature with the wrong key', async () => {
    const car = await getProof(alice.did, ids.AiDonottrainDeclaration, 'self')
    const error = await expectFailure(
      verifyRecordProof(car, { ...selfOpts(), resolver: undefined, key: await randomKey() }),
      'BadSignature',
    )
    expect(error.message).toMatch(/given key/)
  })

  it('retries once with forceRefresh when the cached key is stale (key rotation)', async () => {
    const car = await getProof(alice.did, ids.AiDonottrainDeclaration, 'self')
    const rotated = scriptedResolver([await randomKey(), aliceKey])
    const result = await verifyRecordProof(car, { ...selfOpts(), resolver: rotated })
    if (!result.ok) throw result.error
    expect(rotated.calls).toEqual([{}, { forceRefresh: true }])
    expect(result.value.signingKey).toEqual(aliceKey)
  })

  it('BadSignature naming the rotation when even the refreshed key fails', async () => {
    const car = await getProof(alice.did, ids.AiDonottrainDeclaration, 'self')
    const stale = scriptedResolver([await randomKey(), await randomKey()])
    const error = await expectFailure(verifyRecordProof(car, { ...selfOpts(), resolver: stale }), 'BadSignature')
    expect(error.message).toBe(`signature does not match the current atproto key of did=${alice.did} (key rotated?)`)
    expect(stale.calls).toEqual([{}, { forceRefresh: true }])
  })

  it('KeyNotFound without a key or resolver, or when resolution fails', async () => {
    const car = await getProof(alice.did, ids.AiDonottrainDeclaration, 'self')
    await expectFailure(verifyRecordProof(car, { ...selfOpts(), resolver: undefined }), 'KeyNotFound')
    await expectFailure(verifyRecordProof(car, { ...selfOpts(), resolver: scriptedResolver([]) }), 'KeyNotFound')
  })

  it('CidMismatch when record bytes are tampered with', async () => {
    const car = await getProof(alice.did, ids.AiDonottrainDeclaration, 'self')
    const good = await verifyRecordProof(car, selfOpts())
    if (!good.ok) throw good.error
    const recordCid = good.value.recordCid
    const tampered = rewrite(car, (blocks) =>
      blocks.map(([cid, bytes]) => {
        if (cid !== recordCid) return [cid, bytes]
        const copy = Uint8Array.from(bytes)
        const at = Buffer.from(copy).indexOf('deny')
        copy.set(new TextEncoder().encode('allw'), at)
        return [cid, copy]
      }),
    )
    const error = await expectFailure(verifyRecordProof(tampered, selfOpts()), 'CidMismatch')
    expect(error.message).toContain(recordCid)
  })

  it('CidMismatch when two blocks swap CIDs', async () => {
    const car = await getProof(alice.did, ids.AiDonottrainDeclaration, 'self')
    const swapped = rewrite(car, (blocks) => {
      const [a, b, ...rest] = blocks as [[string, Uint8Array], [string, Uint8Array], ...[string, Uint8Array][]]
      return [[a[0], b[1]], [b[0], a[1]], ...rest]
    })
    await expectFailure(verifyRecordProof(swapped, selfOpts()), 'CidMismatch')
  })

  it('MstPathBroken when the record block or an MST node is left out', async () => {
    const car = await getProof(alice.did, bskyIds.post, postRkeys[3] as string)
    const opts = { did: alice.did, collection: bskyIds.post, rkey: postRkeys[3] as string, key: aliceKey }
    const good = await verifyRecordProof(car, opts)
    if (!good.ok) throw good.error
    const noRecord = rewrite(car, (blocks) => blocks.filter(([cid]) => cid !== good.value.recordCid))
    expect((await expectFailure(verifyRecordProof(noRecord, opts), 'MstPathBroken')).message).toMatch(/record block/)
    const noRoot = rewrite(car, (blocks) => blocks.filter(([cid]) => cid !== good.value.commit.data))
    expect((await expectFailure(verifyRecordProof(noRoot, opts), 'MstPathBroken')).message).toMatch(/missing/)
  })

  it('MalformedCar for a truncated CAR, trailing junk, or one over the caps', async () => {
    const car = await getProof(alice.did, ids.AiDonottrainDeclaration, 'self')
    for (const cut of [car.length - 1, car.length - 20, 30, 70]) {
      await expectFailure(verifyRecordProof(car.subarray(0, cut), selfOpts()), 'MalformedCar')
    }
    for (const junk of [[0x00], [0x01, 0x02], [0xff, 0xff, 0xff], Array.from({ length: 40 }, () => 7)]) {
      await expectFailure(verifyRecordProof(Uint8Array.from([...car, ...junk]), selfOpts()), 'MalformedCar')
    }
    const big = await expectFailure(
      verifyRecordProof(car, { ...selfOpts(), limits: { maxBytes: car.length - 1 } }),
      'MalformedCar',
    )
    expect(big.message).toMatch(/size cap/)
    const many = await expectFailure(
      verifyRecordProof(car, { ...selfOpts(), limits: { maxBlocks: 2 } }),
      'MalformedCar',
    )
    expect(many.message).toMatch(/block cap/)
    expect((await verifyRecordProof(car, { ...selfOpts(), limits: { maxBytes: car.length } })).ok).toBe(true)
  })

  it('MalformedCommit when the root is not a commit, MalformedCar when the root block is absent', async () => {
    const car = await getProof(alice.did, ids.AiDonottrainDeclaration, 'self')
    const good = await verifyRecordProof(car, selfOpts())
    if (!good.ok) throw good.error
    const recordRoot = rewrite(car, (blocks) => blocks, good.value.recordCid)
    await expectFailure(verifyRecordProof(recordRoot, selfOpts()), 'MalformedCommit')
    const noCommit = rewrite(car, (blocks, root) => blocks.filter(([cid]) => cid !== root))
    await expectFailure(verifyRecordProof(noCommit, selfOpts()), 'MalformedCar')
  })

  it('InvalidRequest for a bad did, collection or rkey', async () => {
    const car = await getProof(alice.did, ids.AiDonottrainDeclaration, 'self')
    await expectFailure(verifyRecordProof(car, { ...selfOpts(), did: 'alice' }), 'InvalidRequest')
    await expectFailure(verifyRecordProof(car, { ...selfOpts(), collection: 'not an nsid' }), 'InvalidRequest')
    await expectFailure(verifyRecordProof(car, { ...selfOpts(), rkey: 'a/b' }), 'InvalidRequest')
  })
})

describe('verifyAbsence', () => {
  it('verifies the PDS proof that a deleted record is gone, and that a never-made one is absent', async () => {
    for (const rkey of [deletedRkey, '3zzzzzzzzzzzz', 'aaa']) {
      const car = await getProof(alice.did, ids.AiDonottrainDeclaration, rkey)
      const result = await verifyAbsence(car, { ...selfOpts(), rkey })
      if (!result.ok) throw result.error
      const latest = await net.agent().com.atproto.sync.getLatestCommit({ did: alice.did })
      expect(result.value.commit.cid).toBe(latest.data.cid)
      expect(result.value.uri).toBe(`at://${alice.did}/${ids.AiDonottrainDeclaration}/${rkey}`)
      const reference = await verifyProofs(
        car,
        [{ collection: ids.AiDonottrainDeclaration, rkey, cid: null }],
        alice.did,
        formatDidKey(aliceKey),
      )
      expect(reference.verified.length).toBe(1)
    }
  })

  it('RecordPresent when the record exists (a forged absence claim)', async () => {
    const car = await getProof(alice.did, ids.AiDonottrainDeclaration, 'self')
    const error = await expectFailure(verifyAbsence(car, selfOpts()), 'RecordPresent')
    expect(error.message).toContain('rev=')
    // leaving the record block out does not help: the signed tree still holds the key
    const present = await verifyRecordProof(car, selfOpts())
    if (!present.ok) throw present.error
    const stripped = rewrite(car, (blocks) => blocks.filter(([cid]) => cid !== present.value.recordCid))
    await expectFailure(verifyAbsence(stripped, selfOpts()), 'RecordPresent')
  })

  it('fails when the leaf node is forged to drop the entry (its parent no longer links to it)', async () => {
    const rkey = postRkeys[10] as string
    const opts = { did: alice.did, collection: bskyIds.post, rkey, key: aliceKey }
    const car = await getProof(alice.did, bskyIds.post, rkey)
    const read = readCar(car)
    if (!read.ok) throw read.error
    const commit = decodeCommit(read.value.blocks.get(read.value.root) as Uint8Array)
    if (!commit.ok) throw commit.error
    const path = walkPath(commit.value.data, `${bskyIds.post}/${rkey}`, read.value.blocks)
    if (!path.ok) throw path.error
    const holder = path.value.nodes[path.value.nodes.length - 1] as string
    const node = decodeNode(read.value.blocks.get(holder) as Uint8Array)
    if (!node.ok) throw node.error
    const forged = encodeNode({ ...node.value, entries: node.value.entries.filter((e) => !e.key.endsWith(rkey)) })
    const forgedCid = cidToString(cidForDagCbor(forged))
    const replaced = rewrite(car, (blocks) =>
      blocks.map(([cid, bytes]) => (cid === holder ? [forgedCid, forged] : [cid, bytes])),
    )
    expect(forged.length).toBeLessThan((read.value.blocks.get(holder) as Uint8Array).length)
    const error = await expectFailure(verifyAbsence(replaced, opts), 'MstPathBroken')
    expect(error.message).toContain(holder)
  })

  it('fails like verifyRecordProof on a bad signature or another DID', async () => {
    const car = await getProof(alice.did, ids.AiDonottrainDeclaration, deletedRkey)
    await expectFailure(
      verifyAbsence(car, { ...selfOpts(), rkey: deletedRkey, resolver: undefined, key: await randomKey() }),
      'BadSignature',
    )
    await expectFailure(verifyAbsence(car, { ...selfOpts(), did: bob.did, rkey: deletedRkey }), 'DidMismatch')
  })
})

describe('verifyKeyProof', () => {
  it('proves presence or absence with one verification, with the commit time', async () => {
    const present = await verifyKeyProof(await getProof(alice.did, ids.AiDonottrainDeclaration, 'self'), selfOpts())
    if (!present.ok) throw present.error
    expect(present.value.present).toBe(true)
    expect(present.value.present && JSON.parse(JSON.stringify(present.value.proof.record))).toEqual(declaration)
    expect(Date.parse(present.value.proof.commit.time as string)).toBeGreaterThan(Date.now() - 600_000)
    const car = await getProof(alice.did, ids.AiDonottrainDeclaration, deletedRkey)
    const absent = await verifyKeyProof(car, { ...selfOpts(), rkey: deletedRkey })
    expect(absent.ok && absent.value.present).toBe(false)
    const wrong = await verifyKeyProof(car, {
      ...selfOpts(),
      rkey: deletedRkey,
      resolver: undefined,
      key: await randomKey(),
    })
    expect(!wrong.ok && wrong.error.code).toBe('BadSignature')
  })
})

describe('recordInCar', () => {
  it('names the record a record proof carries, and refuses to guess for an absence proof', async () => {
    const rkey = postRkeys[7] as string
    expect(recordInCar(await getProof(alice.did, bskyIds.post, rkey))).toEqual({
      ok: true,
      value: { did: alice.did, collection: bskyIds.post, rkey },
    })
    const absent = recordInCar(await getProof(alice.did, ids.AiDonottrainDeclaration, deletedRkey))
    expect(!absent.ok && absent.error.code).toBe('InvalidRequest')
    const truncated = recordInCar((await getProof(alice.did, bskyIds.post, rkey)).subarray(0, 50))
    expect(!truncated.ok && truncated.error.code).toBe('MalformedCar')
  })
})

describe('firehose #commit events of the PDS (readCar, decodeCommit, verifyCommitSignature, invertOps)', () => {
  it('every commit reads strictly, is signed by its account, and inverts to its prevData', async () => {
    const events = await net.network.pds.ctx.sequencer.requestSeqRange({ limit: 1000 })
    let inverted = 0
    let maxOps = 0
    let wrongPrevChecked = 0
    for (const seq of events) {
      if (seq.type !== 'commit') continue
      const evt = seq.evt
      const car = readCar(evt.blocks)
      if (!car.ok) throw car.error
      expect(car.value.root).toBe(evt.commit.toString())
      const commit = decodeCommit(car.value.blocks.get(car.value.root) as Uint8Array)
      if (!commit.ok) throw commit.error
      expect(commit.value.rev).toBe(evt.rev)
      const key = await resolver.resolveAtprotoKey(evt.repo)
      if (!key.ok) throw key.error
      expect(verifyCommitSignature(commit.value, key.value)).toBe(true)
      if (evt.prevData === undefined) continue // the genesis commit of a repo
      const ops: MstOp[] = evt.ops.map((op) => ({
        action: op.action,
        path: op.path,
        cid: op.cid?.toString() ?? null,
        prev: op.prev?.toString() ?? null,
      }))
      expect(invertOps(commit.value.data, ops, car.value.blocks)).toEqual({ ok: true, value: evt.prevData.toString() })
      // and a wrong prev is caught: the inverted root no longer matches
      const update = ops.findIndex((op) => op.action !== 'create')
      if (update !== -1) {
        const wrong = ops.map((op, i) =>
          i === update ? { ...op, prev: cidToString(cidForDagCbor(Uint8Array.of(i))) } : op,
        )
        const result = invertOps(commit.value.data, wrong, car.value.blocks)
        expect(result.ok && result.value).not.toBe(evt.prevData.toString())
        wrongPrevChecked++
      }
      inverted++
      maxOps = Math.max(maxOps, ops.length)
    }
    expect(inverted).toBeGreaterThanOrEqual(6)
    expect(maxOps).toBe(50)
    expect(wrongPrevChecked).toBeGreaterThanOrEqual(1)
  })
})
