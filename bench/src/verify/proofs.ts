import { randomBytes } from 'node:crypto'
import { TID } from '@atproto/common'
import { type ExportableKeypair, P256Keypair, Secp256k1Keypair } from '@atproto/crypto'
import {
  type CommitData,
  formatDataKey,
  getRecords,
  MemoryBlockstore,
  type RecordCreateOp,
  Repo,
  readCar,
  WriteOpAction,
} from '@atproto/repo'
import { ACCOUNT_RKEY, scopes } from '@donottrain/lexicon'
import { fixtureCollections as col } from '@donottrain/test'

/** A multiformats CID as @atproto/repo hands it out. */
type CID = CommitData['cid']

/** One record (inclusion) proof: the CAR `com.atproto.sync.getRecord` returns, and what it claims. */
export interface ProofCase {
  car: Uint8Array
  did: string
  /** `did:key:…` of the repo's signing key. */
  didKey: string
  keyType: 'secp256k1' | 'p256'
  collection: string
  rkey: string
  cid: CID
  /** The CID as a string, computed once (so its encoding is not timed). */
  cidStr: string
  /** Records in the repo (MST size). */
  records: number
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'
const fakePlcDid = () => `did:plc:${Array.from(randomBytes(24), (b) => BASE32[b % 32]).join('')}`

function filler(i: number, did: string, createdAt: string): RecordCreateOp {
  const subject = {
    uri: `at://${did}/${col.post}/${TID.nextStr()}`,
    cid: 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm',
  }
  const kind = i % 10
  const [collection, record] =
    kind < 5
      ? [col.like, { $type: col.like, subject, createdAt }]
      : kind < 7
        ? [col.follow, { $type: col.follow, subject: fakePlcDid(), createdAt }]
        : kind < 9
          ? [
              col.post,
              {
                $type: col.post,
                text: `post number ${i} about the weekend, coffee and a sketch`,
                langs: ['en'],
                createdAt,
              },
            ]
          : [col.repost, { $type: col.repost, subject, createdAt }]
  return { action: WriteOpAction.Create, collection, rkey: TID.nextStr(), record }
}

function declaration(account: boolean, createdAt: string): RecordCreateOp {
  return {
    action: WriteOpAction.Create,
    collection: col.declaration,
    rkey: account ? ACCOUNT_RKEY : TID.nextStr(),
    record: {
      $type: col.declaration,
      scope: account ? scopes.account() : scopes.collection(col.post),
      preferences: { trainAi: 'deny', trainGenai: 'deny', search: 'allow' },
      createdAt,
    },
  }
}

/**
 * Builds `repos` repositories with @atproto/repo, each under its own freshly generated key
 * (every `1/p256Share`-th one P-256, the rest secp256k1), holding 20–200 ordinary records and
 * `perRepo` declarations; each declaration's proof CAR comes from @atproto/repo's `getRecords`
 * (what a PDS serves at com.atproto.sync.getRecord).
 */
export async function buildProofs(opts: {
  repos: number
  perRepo: number
  p256Share: number
  onProgress?: (done: number) => void
}): Promise<ProofCase[]> {
  const out: ProofCase[] = []
  const every = opts.p256Share > 0 ? Math.max(1, Math.round(1 / opts.p256Share)) : 0
  for (let r = 0; r < opts.repos; r++) {
    const keyType = every > 0 && r % every === 0 ? 'p256' : 'secp256k1'
    const key: ExportableKeypair =
      keyType === 'p256'
        ? await P256Keypair.create({ exportable: true })
        : await Secp256k1Keypair.create({ exportable: true })
    const did = fakePlcDid()
    const createdAt = new Date(Date.now() - r * 60_000).toISOString()
    const n = 20 + ((r * 7919) % 181)
    const writes = Array.from({ length: n }, (_, i) => filler(i, did, createdAt))
    const proven = Array.from({ length: opts.perRepo }, (_, i) => declaration(i === 0 && r % 2 === 0, createdAt))
    writes.push(...proven)
    const storage = new MemoryBlockstore()
    const repo = await Repo.create(storage, did, key, writes)
    for (const w of proven) {
      const cid = await repo.data.get(formatDataKey(w.collection, w.rkey))
      if (!cid) throw new Error(`record missing from its repo path=${w.collection}/${w.rkey}`)
      const chunks: Uint8Array[] = []
      for await (const chunk of getRecords(storage, repo.cid, [{ collection: w.collection, rkey: w.rkey }])) {
        chunks.push(chunk)
      }
      const car = Buffer.concat(chunks)
      out.push({
        car,
        did,
        didKey: key.did(),
        keyType,
        collection: w.collection,
        rkey: w.rkey,
        cid,
        cidStr: cid.toString(),
        records: writes.length,
      })
    }
    if ((r + 1) % 250 === 0) opts.onProgress?.(r + 1)
  }
  return out
}

/** A proof case as JSON (the CID as a string, the CAR as base64), to hand to a worker process. */
export type ProofCaseJson = Omit<ProofCase, 'car' | 'cid'> & { car: string; cid: string }

export const proofToJson = (p: ProofCase): ProofCaseJson => ({
  ...p,
  car: Buffer.from(p.car).toString('base64'),
  cid: p.cid.toString(),
})

/** Reads a proof case back; the claim's CID object is taken from the CAR's own blocks. */
export async function proofFromJson(j: ProofCaseJson): Promise<ProofCase> {
  const car = new Uint8Array(Buffer.from(j.car, 'base64'))
  const { blocks } = await readCar(car)
  const entry = blocks.entries().find((e) => e.cid.toString() === j.cid)
  if (!entry) throw new Error(`record block missing from proof cid=${j.cid}`)
  return { ...j, car, cid: entry.cid }
}
