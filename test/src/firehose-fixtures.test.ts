import { ids as atprotoIds } from '@atproto/api'
import { cborDecodeMulti, cborEncode, TID } from '@atproto/common'
import { verifySignature } from '@atproto/crypto'
import { IdResolver } from '@atproto/identity'
import { type BlockMap, cborToLex, def, MemoryBlockstore, MST, readCar, verifyCommitSig } from '@atproto/repo'
import { validateDeclaration } from '@donottrain/lexicon'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { asCid, cborDepth, ReferenceChecker } from './firehose-check.js'
import { type GeneratedFirehose, generateFirehose } from './firehose-fixtures.js'
import { decodeFrame, readSeq } from './firehose-frame.js'
import { HOSTILE_KINDS, type HostileKind, makeHostileFrame, makeSyncFrame } from './firehose-hostile.js'
import { collections, DONOTTRAIN_TAG } from './firehose-records.js'
import { type LocalNetwork, startLocalNetwork } from './network.js'
import { waitFor } from './wait.js'

let net: LocalNetwork
let fh: GeneratedFirehose
let resolver: IdResolver

beforeAll(async () => {
  net = await startLocalNetwork()
  resolver = new IdResolver({ plcUrl: net.plcUrl })
  fh = await generateFirehose({ plcUrl: net.plcUrl, accounts: 12, commits: 400, seed: 7, declarationRatio: 0.05 })
})
afterAll(async () => {
  await net?.close()
})

const newChecker = () => new ReferenceChecker({ resolveKey: (did) => resolver.did.resolveAtprotoKey(did) })

type Body = Record<string, unknown>
const bodyOf = (frame: Uint8Array) => decodeFrame(frame).body

async function commitOf(body: Body) {
  const car = await readCar(body.blocks as Uint8Array)
  const cid = asCid(body.commit)
  if (!cid) throw new Error('no commit cid')
  return { car, commit: await new MemoryBlockstore(car.blocks).readObj(cid, def.commit) }
}

describe('generateFirehose', () => {
  it('registers every account in the PLC directory with its key, handle and PDS, mostly secp256k1', async () => {
    for (const account of fh.accounts) {
      const data = await resolver.did.resolveAtprotoData(account.did)
      expect(data.signingKey).toBe(account.didKey)
      expect(data.signingKey).toBe(account.signingKey.did())
      expect(data.handle).toBe(account.handle)
      expect(data.pds).toBe('https://pds.donottrain.test')
    }
    const types = fh.accounts.map((a) => a.keyType)
    expect(types.filter((t) => t === 'p256').length).toBeGreaterThan(0)
    expect(types.filter((t) => t === 'secp256k1').length).toBeGreaterThan(types.length / 2)
  })

  it('emits #commit frames with consecutive seqs, each commit signed with the DID document key', async () => {
    expect(fh.frames).toHaveLength(400)
    for (const [i, frame] of fh.frames.entries()) {
      const { header, body } = decodeFrame(frame)
      expect(header).toEqual({ op: 1, t: '#commit' })
      expect(body.seq).toBe(i + 1)
      expect(readSeq(frame)).toBe(i + 1)
      expect(
        Buffer.from(cborEncode(body)).equals(Buffer.from(frame.subarray(frame.length - cborEncode(body).length))),
      ).toBe(true)
    }
    for (const frame of fh.frames.slice(0, 40)) {
      const body = bodyOf(frame)
      const { commit } = await commitOf(body)
      const key = await resolver.did.resolveAtprotoKey(body.repo as string)
      expect(await verifyCommitSig(commit, key)).toBe(true)
      expect(commit.did).toBe(body.repo)
      expect(commit.rev).toBe(body.rev)
    }
  })

  it('reaches every op through the signed commit and the MST in the frame to a record of its collection', async () => {
    let checked = 0
    for (const frame of fh.frames.slice(0, 150)) {
      const body = bodyOf(frame)
      const { car, commit } = await commitOf(body)
      const mst = MST.load(new MemoryBlockstore(car.blocks), commit.data)
      for (const op of body.ops as Body[]) {
        const path = op.path as string
        const found = await mst.get(path)
        if (op.action === 'delete') {
          expect(found).toBeNull()
          continue
        }
        const cid = asCid(op.cid)
        expect(found && cid && found.equals(cid)).toBe(true)
        const record = cborToLex(car.blocks.get(cid as NonNullable<typeof cid>) as Uint8Array) as Body
        expect(record.$type).toBe(path.split('/')[0])
        checked++
      }
    }
    expect(checked).toBeGreaterThan(100)
  })

  it('passes every reference check, including the since/prevData chain and Sync 1.1 MST inversion', async () => {
    const checker = newChecker()
    for (const frame of fh.frames) {
      const result = await checker.check(frame)
      expect(result.failures).toEqual([])
    }
    for (const account of fh.accounts) {
      const head = fh.generator.head(account.did)
      if (checker.state.has(account.did))
        expect(checker.state.get(account.did)).toEqual({ rev: head?.rev, data: head?.data })
    }
  })

  it('mixes likes, follows, posts, reposts, profiles and declarations like the live network', async () => {
    const counts = new Map<string, number>()
    let ops = 0
    for (const info of fh.info) {
      for (const op of info.ops) {
        const key = `${op.path.split('/')[0]} ${op.action}`
        counts.set(key, (counts.get(key) ?? 0) + 1)
        ops++
      }
    }
    const share = (collection: string) =>
      [...counts].filter(([k]) => k.startsWith(`${collection} `)).reduce((sum, [, n]) => sum + n, 0) / ops
    expect(share(collections.like)).toBeGreaterThan(0.38)
    expect(share(collections.like)).toBeLessThan(0.62)
    expect(share(collections.follow)).toBeGreaterThan(0.12)
    expect(share(collections.follow)).toBeLessThan(0.3)
    expect(share(collections.post)).toBeGreaterThan(0.15)
    expect(share(collections.post)).toBeLessThan(0.35)
    expect(share(collections.repost)).toBeGreaterThan(0)
    expect(counts.get(`${collections.profile} create`) ?? 0).toBeGreaterThan(0)
    for (const action of ['create', 'update', 'delete']) {
      expect(counts.get(`${collections.declaration} ${action}`) ?? 0).toBeGreaterThan(0)
    }
    expect(fh.info.some((i) => i.ops.length > 1)).toBe(true)
  })

  it('writes valid declarations and #donottrain posts whose tag facet covers the tag bytes', async () => {
    let declarations = 0
    let tagged = 0
    for (const frame of fh.frames) {
      const body = bodyOf(frame)
      const { car } = await commitOf(body)
      for (const op of body.ops as Body[]) {
        const cid = asCid(op.cid)
        if (!cid) continue
        const [collection, rkey] = (op.path as string).split('/')
        const record = cborToLex(car.blocks.get(cid) as Uint8Array) as Body
        if (collection === collections.declaration) {
          const valid = validateDeclaration(record, { did: body.repo as string, rkey })
          expect(valid.ok ? 'ok' : valid.error.message).toBe('ok')
          declarations++
        }
        const facets = record.facets as Array<{ index: { byteStart: number; byteEnd: number } }> | undefined
        if (collection === collections.post && facets) {
          const { byteStart, byteEnd } = facets[0]?.index ?? { byteStart: 0, byteEnd: 0 }
          expect(
            Buffer.from(record.text as string)
              .subarray(byteStart, byteEnd)
              .toString(),
          ).toBe(`#${DONOTTRAIN_TAG}`)
          tagged++
        }
      }
    }
    expect(declarations).toBeGreaterThan(5)
    expect(tagged).toBeGreaterThan(2)
  })

  it('reports as expected exactly the declaration-relevant records that an indexer must end with', async () => {
    const state = new Map<string, string>()
    for (const frame of fh.frames) {
      const body = bodyOf(frame)
      const { car } = await commitOf(body)
      for (const op of body.ops as Body[]) {
        const uri = `at://${body.repo}/${op.path}`
        const cid = asCid(op.cid)
        const record = cid ? (cborToLex(car.blocks.get(cid) as Uint8Array) as Body) : undefined
        const collection = (op.path as string).split('/')[0]
        const hasTag = (v: unknown) => typeof v === 'string' && v.includes(`#${DONOTTRAIN_TAG}`)
        const relevant =
          collection === collections.declaration ||
          (collection === collections.post && hasTag(record?.text)) ||
          (collection === collections.profile && hasTag(record?.description))
        if (record && relevant) state.set(uri, `${cid}`)
        else state.delete(uri)
      }
    }
    expect(state.size).toBeGreaterThan(5)
    expect(new Map([...fh.expected.declarations].sort())).toEqual(new Map([...state].sort()))
    expect(new Set(fh.expected.kinds.values())).toContain('declaration')
    expect(new Set(fh.expected.kinds.values())).toContain('post-tag')
  })

  it('continues every chain across generator.next() calls', async () => {
    const checker = newChecker()
    for (const frame of fh.frames) await checker.check(frame)
    const more = await fh.generator.next(40)
    expect(more[0]?.info.seq).toBe(401)
    for (const { bytes } of more) expect((await checker.check(bytes)).failures).toEqual([])
  })

  it('matches the shape of the #commit frames a real PDS emits, which the reference checks also accept', async () => {
    const received: Uint8Array[] = []
    const ws = new WebSocket(`${net.firehoseUrl}?cursor=0`)
    ws.on('message', (data: Buffer) => received.push(new Uint8Array(data)))
    try {
      const acc = await net.createAccount('shape')
      await acc.agent.com.atproto.repo.createRecord({
        repo: acc.did,
        collection: atprotoIds.AppBskyFeedPost,
        record: { $type: atprotoIds.AppBskyFeedPost, text: 'hello', createdAt: new Date().toISOString() },
      })
      await acc.agent.com.atproto.repo.createRecord({
        repo: acc.did,
        collection: atprotoIds.AppBskyFeedLike,
        record: {
          $type: atprotoIds.AppBskyFeedLike,
          subject: { uri: `at://${acc.did}/${atprotoIds.AppBskyFeedPost}/x`, cid: fh.info[0]?.commit ?? '' },
          createdAt: new Date().toISOString(),
        },
      })
      const pdsFrames = await waitFor(
        () => {
          const mine = received.filter((f) => {
            const [header, body] = cborDecodeMulti(f) as Body[]
            return header?.t === '#commit' && body?.repo === acc.did && (body.ops as unknown[]).length > 0
          })
          return mine.length >= 2 && mine
        },
        { what: 'the PDS #commit frames' },
      )
      const pds = pdsFrames.map((f) => cborDecodeMulti(f) as Body[])
      const ours = decodeFrame(fh.frames.find((_, i) => fh.info[i]?.ops.length === 1) as Uint8Array)
      const [pdsHeader, pdsBody] = pds[1] as [Body, Body]
      expect(ours.header).toEqual(pdsHeader)
      expect(Object.keys(ours.body).sort()).toEqual(Object.keys(pdsBody).sort())
      const kinds = (b: Body) => Object.fromEntries(Object.entries(b).map(([k, v]) => [k, kindOf(v)]))
      expect({ ...kinds(ours.body), since: 'string' }).toEqual({ ...kinds(pdsBody), since: 'string' })
      expect(Object.keys((ours.body.ops as Body[])[0] as Body).sort()).toEqual(
        Object.keys((pdsBody.ops as Body[])[0] as Body).sort(),
      )
      // The same reference checks accept the PDS's own frames (so they are not tuned to ours).
      const checker = newChecker()
      for (const f of pdsFrames) expect((await checker.check(f)).failures).toEqual([])
    } finally {
      ws.close()
    }
  })
})

function kindOf(v: unknown): string {
  if (v === null) return 'null'
  if (v instanceof Uint8Array) return 'bytes'
  if (Array.isArray(v)) return 'array'
  if (asCid(v)) return 'cid'
  return typeof v
}

/** Index of a frame fit to corrupt as `kind`: its account has an earlier frame, and it has what the kind needs. */
function sourceIndex(kind: HostileKind): number {
  const seen = new Set<string>()
  for (const [i, info] of fh.info.entries()) {
    const hasEarlier = seen.has(info.did)
    seen.add(info.did)
    if (!hasEarlier) continue
    if (kind === 'op-omitted' && info.ops.length < 2) continue
    if (kind === 'block-cid-mismatch' && !info.ops.some((op) => op.cid)) continue
    return i
  }
  throw new Error(`no source frame for kind=${kind}`)
}

/** A checker that has accepted the frames of the source's account up to (not incl.) index `end`. */
async function checkerBefore(did: string, end: number): Promise<ReferenceChecker> {
  const checker = newChecker()
  for (const [i, frame] of fh.frames.slice(0, end).entries()) {
    if (fh.info[i]?.did !== did) continue
    expect((await checker.check(frame)).failures).toEqual([])
  }
  return checker
}

describe('makeHostileFrame', () => {
  it.each(HOSTILE_KINDS)('%s fails exactly its targeted reference check', async (kind) => {
    const i = sourceIndex(kind)
    const source = fh.frames[i] as Uint8Array
    const info = fh.info[i] as NonNullable<(typeof fh.info)[number]>
    const hostile = await makeHostileFrame(kind, source, { accounts: fh.accounts, plcUrl: net.plcUrl })
    expect(hostile.kind).toBe(kind)
    const checker = await checkerBefore(info.did, hostile.placement === 'after' ? i + 1 : i)
    const before = new Map(checker.state)
    const result = await checker.check(hostile.bytes)
    expect(result.failures).toEqual([hostile.target])
    expect(checker.state).toEqual(before)
    if (hostile.placement === 'instead') {
      // Control: the unmodified source is accepted in the same position.
      expect((await checker.check(source)).failures).toEqual([])
    }
  })

  it('bad-cbor is rejected by the reference CBOR decoder', async () => {
    const h = await makeHostileFrame('bad-cbor', fh.frames[5] as Uint8Array, { accounts: fh.accounts })
    expect(() => cborDecodeMulti(h.bytes)).toThrow()
  })

  it('nesting-depth nests the body 33 deep and is otherwise the same commit', async () => {
    const h = await makeHostileFrame('nesting-depth', fh.frames[5] as Uint8Array, { accounts: fh.accounts })
    const body = bodyOf(h.bytes)
    expect(cborDepth(body)).toBe(33)
    expect(cborDepth(bodyOf(fh.frames[5] as Uint8Array))).toBeLessThan(8)
    expect(body.commit).toEqual(bodyOf(fh.frames[5] as Uint8Array).commit)
  })

  it('oversized-frame is over 5 MiB, with every block still hashing to its CID', async () => {
    const h = await makeHostileFrame('oversized-frame', fh.frames[5] as Uint8Array, { accounts: fh.accounts })
    expect(h.bytes.length).toBeGreaterThan(5 * 1024 * 1024)
    expect(h.bytes.length).toBeLessThan(6 * 1024 * 1024)
    await expect(readCar(bodyOf(h.bytes).blocks as Uint8Array)).resolves.toBeDefined()
  })

  it('block-cid-mismatch is refused by readCar and parses without CID verification', async () => {
    const i = sourceIndex('block-cid-mismatch')
    const h = await makeHostileFrame('block-cid-mismatch', fh.frames[i] as Uint8Array, { accounts: fh.accounts })
    const blocks = bodyOf(h.bytes).blocks as Uint8Array
    await expect(readCar(blocks)).rejects.toThrow()
    const { blocks: map } = await readCar(blocks, { skipCidVerification: true })
    expect(map.size).toBe((await readCar(bodyOf(fh.frames[i] as Uint8Array).blocks as Uint8Array)).blocks.size)
  })

  it('wrong-key and high-S signatures fail verifyCommitSig; high-S verifies only when malleable sigs are allowed', async () => {
    const source = fh.frames[5] as Uint8Array
    const did = bodyOf(source).repo as string
    const key = await resolver.did.resolveAtprotoKey(did)
    const wrong = await commitOf(
      bodyOf((await makeHostileFrame('wrong-key-signature', source, { accounts: fh.accounts })).bytes),
    )
    expect(await verifyCommitSig(wrong.commit, key)).toBe(false)
    const high = await commitOf(
      bodyOf((await makeHostileFrame('high-s-signature', source, { accounts: fh.accounts })).bytes),
    )
    const original = await commitOf(bodyOf(source))
    expect(await verifyCommitSig(high.commit, key)).toBe(false)
    expect(await verifyCommitSig(original.commit, key)).toBe(true)
    const { sig, ...unsigned } = high.commit
    expect(await verifySignature(key, cborEncode(unsigned), sig, { allowMalleableSig: true })).toBe(true)
    expect(Buffer.from(sig.subarray(0, 32)).equals(Buffer.from(original.commit.sig.subarray(0, 32)))).toBe(true)
  })

  it('high-S works for P-256 accounts too', async () => {
    const i = fh.info.findIndex((info) => fh.accounts.find((a) => a.did === info.did)?.keyType === 'p256')
    expect(i).toBeGreaterThanOrEqual(0)
    const source = fh.frames[i] as Uint8Array
    const h = await makeHostileFrame('high-s-signature', source, { accounts: fh.accounts })
    const { commit } = await commitOf(bodyOf(h.bytes))
    const key = await resolver.did.resolveAtprotoKey(bodyOf(source).repo as string)
    expect(await verifyCommitSig(commit, key)).toBe(false)
    const { sig, ...unsigned } = commit
    expect(await verifySignature(key, cborEncode(unsigned), sig, { allowMalleableSig: true })).toBe(true)
  })

  it('replayed-rev re-sends the same commit with a later seq; future-rev signs a rev over 5 min ahead', async () => {
    const source = fh.frames[5] as Uint8Array
    const replay = await makeHostileFrame('replayed-rev', source, { accounts: fh.accounts, seq: 9999 })
    expect({ ...bodyOf(replay.bytes), seq: 0 }).toEqual({ ...bodyOf(source), seq: 0 })
    expect(readSeq(replay.bytes)).toBe(9999)
    const future = await makeHostileFrame('future-rev', source, { accounts: fh.accounts })
    const body = bodyOf(future.bytes)
    expect(TID.fromStr(body.rev as string).timestamp() / 1000 - Date.now()).toBeGreaterThan(5 * 60_000)
    const { commit } = await commitOf(body)
    expect(await verifyCommitSig(commit, await resolver.did.resolveAtprotoKey(body.repo as string))).toBe(true)
  })

  it('commit-did-mismatch claims a second DID that the PLC resolves to the same key', async () => {
    const source = fh.frames[5] as Uint8Array
    const h = await makeHostileFrame('commit-did-mismatch', source, { accounts: fh.accounts, plcUrl: net.plcUrl })
    const body = bodyOf(h.bytes)
    const { commit } = await commitOf(body)
    expect(body.repo).not.toBe(commit.did)
    expect(h.did).toBe(body.repo)
    const claimedKey = await resolver.did.resolveAtprotoKey(body.repo as string)
    expect(claimedKey).toBe(await resolver.did.resolveAtprotoKey(commit.did))
  })

  it('truncated-car cuts the CAR inside a block so readCar fails', async () => {
    const h = await makeHostileFrame('truncated-car', fh.frames[5] as Uint8Array, { accounts: fh.accounts })
    await expect(readCar(bodyOf(h.bytes).blocks as Uint8Array)).rejects.toThrow()
  })

  it('forged-sync is a #sync whose commit fails with the DID key; the same #sync signed right passes', async () => {
    const i = sourceIndex('forged-sync')
    const source = fh.frames[i] as Uint8Array
    const did = fh.info[i]?.did as string
    const forged = await makeHostileFrame('forged-sync', source, { accounts: fh.accounts })
    const { header, body } = decodeFrame(forged.bytes)
    expect(header).toEqual({ op: 1, t: '#sync' })
    expect(Object.keys(body).sort()).toEqual(['blocks', 'did', 'rev', 'seq', 'time'])
    const { car, commit } = await syncCommit(body)
    expect(car.size).toBe(1)
    expect(await verifyCommitSig(commit, await resolver.did.resolveAtprotoKey(did))).toBe(false)
    const valid = await makeSyncFrame(source, { seq: 1000, accounts: fh.accounts })
    const checker = await checkerBefore(did, i + 1)
    expect((await checker.check(valid)).failures).toEqual([])
  })
})

async function syncCommit(
  body: Body,
): Promise<{ car: BlockMap; commit: Awaited<ReturnType<typeof commitOf>>['commit'] }> {
  const { roots, blocks } = await readCar(body.blocks as Uint8Array)
  const root = roots[0]
  if (!root) throw new Error('no root')
  return { car: blocks, commit: await new MemoryBlockstore(blocks).readObj(root, def.commit) }
}
