import { createRequire } from 'node:module'
import { P256Keypair, Secp256k1Keypair } from '@atproto/crypto'
import { getRecords, MemoryBlockstore, Repo, type BlockMap as RepoBlockMap, WriteOpAction } from '@atproto/repo'
import { describe, expect, it } from 'vitest'
import { parseDidKey } from '../crypto/index.js'
import { buildProofCar } from './build-proof.js'
import { readCar } from './car-reader.js'
import { verifyAbsence } from './verify-absence.js'
import { verifyRecordProof } from './verify-record.js'

type RepoCid = Parameters<RepoBlockMap['get']>[0]
const { CID } = createRequire(import.meta.url)('multiformats/cid') as { CID: { parse(text: string): RepoCid } }

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'
const COLLECTION = 'ai.donottrain.declaration'

async function referenceRepo(keypair: Secp256k1Keypair | P256Keypair, size: number) {
  const storage = new MemoryBlockstore()
  const rkeys = Array.from({ length: size }, (_, i) => `r${String(i).padStart(5, '0')}`)
  const writes = rkeys.map((rkey, i) => ({
    action: WriteOpAction.Create as const,
    collection: COLLECTION,
    rkey,
    record: { $type: COLLECTION, n: i },
  }))
  const repo = await Repo.create(storage, DID, keypair, writes)
  const blocks = new Map<string, Uint8Array>()
  storage.blocks.forEach((bytes, cid) => {
    blocks.set(cid.toString(), bytes)
  })
  const key = parseDidKey(keypair.did())
  if (!key.ok) throw key.error
  return { storage, repo, rkeys, blocks, key: key.value, commit: repo.cid.toString() }
}

const collect = async (chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> => {
  const parts: number[] = []
  for await (const chunk of chunks) parts.push(...chunk)
  return Uint8Array.from(parts)
}

describe('buildProofCar', () => {
  it.each([
    ['secp256k1', () => Secp256k1Keypair.create()],
    ['p256', () => P256Keypair.create()],
  ] as const)('builds record and absence proofs that verify (%s)', async (_, create) => {
    const ref = await referenceRepo(await create(), 200)
    for (const rkey of ref.rkeys.slice(0, 25)) {
      const car = buildProofCar(ref.commit, ref.blocks, `${COLLECTION}/${rkey}`)
      if (!car.ok) throw car.error
      const proof = await verifyRecordProof(car.value, { did: DID, collection: COLLECTION, rkey, key: ref.key })
      if (!proof.ok) throw proof.error
      expect(proof.value.record).toMatchObject({ $type: COLLECTION })
      // the same blocks as the reference getRecords slice
      const theirs = readCar(
        await collect(getRecords(ref.storage, CID.parse(ref.commit), [{ collection: COLLECTION, rkey }])),
      )
      const ours = readCar(car.value)
      if (!theirs.ok || !ours.ok) throw new Error('unreadable car')
      expect([...ours.value.blocks.keys()].sort()).toEqual([...theirs.value.blocks.keys()].sort())
      expect(ours.value.root).toBe(ref.commit)
    }
    for (const rkey of ['self', 'r00003a', 'a', 'zzz']) {
      const car = buildProofCar(ref.commit, ref.blocks, `${COLLECTION}/${rkey}`)
      if (!car.ok) throw car.error
      const absence = await verifyAbsence(car.value, { did: DID, collection: COLLECTION, rkey, key: ref.key })
      if (!absence.ok) throw absence.error
      expect(absence.value.commit.cid).toBe(ref.commit)
    }
  })

  it('fails with MalformedCar, MalformedCommit, MstPathBroken or InvalidRequest', async () => {
    const ref = await referenceRepo(await Secp256k1Keypair.create(), 50)
    const key = `${COLLECTION}/${ref.rkeys[5]}`
    const code = (result: ReturnType<typeof buildProofCar>) => (result.ok ? 'ok' : result.error.code)
    expect(code(buildProofCar(ref.commit, ref.blocks, key))).toBe('ok')
    const noCommit = new Map(ref.blocks)
    noCommit.delete(ref.commit)
    expect(code(buildProofCar(ref.commit, noCommit, key))).toBe('MalformedCar')
    const data = ref.repo.commit.data.toString()
    expect(code(buildProofCar(data, ref.blocks, key))).toBe('MalformedCommit')
    const noRoot = new Map(ref.blocks)
    noRoot.delete(data)
    expect(code(buildProofCar(ref.commit, noRoot, key))).toBe('MstPathBroken')
    const recordCid = (await ref.repo.data.get(key))?.toString() as string
    const noRecord = new Map(ref.blocks)
    noRecord.delete(recordCid)
    expect(code(buildProofCar(ref.commit, noRecord, key))).toBe('MstPathBroken')
    expect(code(buildProofCar(ref.commit, ref.blocks, 'no-slash'))).toBe('InvalidRequest')
  })
})
