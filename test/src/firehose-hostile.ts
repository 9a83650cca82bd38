import { randomBytes } from 'node:crypto'
import { TID } from '@atproto/common'
import type { ExportableKeypair } from '@atproto/crypto'
import {
  BlockMap,
  type Commit,
  type CommitData,
  cborToLex,
  def,
  MemoryBlockstore,
  readCar,
  signCommit,
} from '@atproto/repo'
import { createKeypair, type FixtureAccount, registerAccount } from './firehose-accounts.js'
import { encodeCar } from './firehose-car.js'
import { asCid, type ReferenceCheck } from './firehose-check.js'
import { decodeFrame, encodeFrame, readSeq, withSeq } from './firehose-frame.js'

/** The hostile inputs of the indexer issue; each breaks exactly one rule of a valid frame. */
export const HOSTILE_KINDS = [
  'bad-cbor',
  'nesting-depth',
  'oversized-frame',
  'block-cid-mismatch',
  'wrong-key-signature',
  'high-s-signature',
  'op-omitted',
  'replayed-rev',
  'future-rev',
  'commit-did-mismatch',
  'truncated-car',
  'forged-sync',
] as const
export type HostileKind = (typeof HOSTILE_KINDS)[number]

/** The reference check each kind fails, and nothing else (see {@link ReferenceChecker}). */
export const HOSTILE_TARGETS: Readonly<Record<HostileKind, ReferenceCheck>> = {
  'bad-cbor': 'cbor',
  'nesting-depth': 'depth',
  'oversized-frame': 'frame-size',
  'block-cid-mismatch': 'block-cid',
  'wrong-key-signature': 'signature',
  'high-s-signature': 'signature',
  'op-omitted': 'inversion',
  'replayed-rev': 'rev-order',
  'future-rev': 'future-rev',
  'commit-did-mismatch': 'commit-did',
  'truncated-car': 'car',
  'forged-sync': 'signature',
}

export interface HostileFrame {
  kind: HostileKind
  bytes: Uint8Array
  /**
   * `instead`: send it in place of the source frame (after the frames before the source).
   * `after`: send it after the source frame (a replay, a #sync about the resulting state).
   */
  placement: 'instead' | 'after'
  /** The check a consumer must reject it by. */
  target: ReferenceCheck
  /** The DID whose state it attacks (for commit-did-mismatch: the DID it claims to be). */
  did: string
}

export interface HostileOptions {
  /** The generated accounts (their signing keys); the source frame's account must be among them. */
  accounts: readonly FixtureAccount[]
  /** Needed by commit-did-mismatch, which registers a twin DID with the same signing key. */
  plcUrl?: string
  /** The seq of the hostile frame: default the source's for `instead`, the source's + 1 for `after`. */
  seq?: number
  /** nesting-depth: depth of the body, the body map counting as 1 (default 33). */
  depth?: number
  /** oversized-frame: total frame size (default 5 MiB + 64 KiB). */
  size?: number
  /** future-rev: how far ahead the rev is (default 10 minutes; the limit is 5). */
  futureMs?: number
  /** op-omitted: index of the op to remove (default the last). */
  opIndex?: number
}

const CURVE_ORDER = {
  secp256k1: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
  p256: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
}

type Body = Record<string, unknown>
type CID = CommitData['cid']

/**
 * Derives a hostile frame from a valid generated `#commit` frame. Apart from the one rule it
 * breaks, the result is well-formed and consistent: any CID, CAR root, signature or seq that the
 * change affects is recomputed, so a consumer can reject it by exactly one check.
 */
export async function makeHostileFrame(
  kind: HostileKind,
  source: Uint8Array,
  opts: HostileOptions,
): Promise<HostileFrame> {
  const { header, body } = decodeFrame(source)
  if (header.t !== '#commit') throw new Error(`source must be a #commit frame t=${String(header.t)}`)
  const did = body.repo as string
  const account = opts.accounts.find((a) => a.did === did)
  if (!account) throw new Error(`source frame's account is not among the accounts did=${did}`)
  const sourceSeq = readSeq(source) ?? 0
  const placement = kind === 'replayed-rev' || kind === 'forged-sync' ? 'after' : 'instead'
  const seq = opts.seq ?? (placement === 'after' ? sourceSeq + 1 : sourceSeq)
  const done = (bytes: Uint8Array, claimed = did): HostileFrame => ({
    kind,
    bytes,
    placement,
    target: HOSTILE_TARGETS[kind],
    did: claimed,
  })
  const commitFrame = (b: Body) => encodeFrame({ op: 1, t: '#commit' }, { ...b, seq })
  const car = await readCar(body.blocks as Uint8Array)
  const commitCid = asCid(body.commit)
  if (!commitCid) throw new Error('source frame has no commit cid')
  const commit = await new MemoryBlockstore(car.blocks).readObj(commitCid, def.commit)

  switch (kind) {
    case 'bad-cbor': {
      // A reserved additional-info value (28) where the body's map head should be: ill-formed CBOR.
      const bytes = commitFrame(body)
      const headerLength = encodeFrame({ op: 1, t: '#commit' }, {}).length - 1
      bytes[headerLength] = 0x1c
      return done(bytes)
    }
    case 'nesting-depth': {
      let nested: unknown = []
      for (let d = 2; d < (opts.depth ?? 33); d++) nested = [nested]
      return done(commitFrame({ ...body, nest: nested }))
    }
    case 'oversized-frame': {
      const target = opts.size ?? 5 * 1024 * 1024 + 64 * 1024
      const filler = new BlockMap()
      await filler.add(new Uint8Array(randomBytes(Math.max(0, target - source.length))))
      const blocks = encodeCar(commitCid, [car.blocks, filler])
      return done(commitFrame({ ...body, blocks }))
    }
    case 'block-cid-mismatch': {
      const blocks = await corruptRecordBlock(car.blocks, body)
      return done(commitFrame({ ...body, blocks: encodeCar(commitCid, [blocks]) }))
    }
    case 'wrong-key-signature': {
      const wrong = await createKeypair(account.keyType)
      const resigned = await signCommit(unsignedOf(commit), wrong)
      return done(commitFrame(await withCommit(body, car.blocks, commitCid, resigned)))
    }
    case 'high-s-signature': {
      const sig = toHighS(commit.sig, CURVE_ORDER[account.keyType])
      return done(commitFrame(await withCommit(body, car.blocks, commitCid, { ...commit, sig })))
    }
    case 'op-omitted': {
      const ops = [...(body.ops as unknown[])]
      if (ops.length === 0) throw new Error('source frame has no op to omit')
      ops.splice(opts.opIndex ?? ops.length - 1, 1)
      return done(commitFrame({ ...body, ops }))
    }
    case 'replayed-rev':
      return done(withSeq(source, seq))
    case 'future-rev': {
      const micros = (Date.now() + (opts.futureMs ?? 10 * 60_000)) * 1000
      const rev = TID.fromTime(micros, 0).toString()
      const resigned = await signCommit({ ...unsignedOf(commit), rev }, account.signingKey)
      return done(commitFrame({ ...(await withCommit(body, car.blocks, commitCid, resigned)), rev }))
    }
    case 'commit-did-mismatch': {
      if (!opts.plcUrl) throw new Error('commit-did-mismatch needs plcUrl')
      const twin = await twinOf(account, opts.plcUrl)
      return done(commitFrame({ ...body, repo: twin.did }), twin.did)
    }
    case 'truncated-car': {
      const blocks = body.blocks as Uint8Array
      return done(commitFrame({ ...body, blocks: blocks.slice(0, midLastBlock(blocks)) }))
    }
    case 'forged-sync': {
      const wrong = await createKeypair(account.keyType)
      return done(await makeSyncFrame(source, { seq, signingKey: wrong, accounts: opts.accounts }))
    }
  }
}

/**
 * A `#sync` frame for the state the source `#commit` frame leads to: `{ seq, did, rev, blocks,
 * time }` whose CAR holds only a commit over the same MST root with a new rev, signed by the
 * account's key, or by `signingKey` (a forged #sync).
 */
export async function makeSyncFrame(
  source: Uint8Array,
  opts: { seq: number; accounts: readonly FixtureAccount[]; signingKey?: ExportableKeypair; rev?: string },
): Promise<Uint8Array> {
  const { body } = decodeFrame(source)
  const did = body.repo as string
  const key = opts.signingKey ?? opts.accounts.find((a) => a.did === did)?.signingKey
  if (!key) throw new Error(`no signing key for the source frame's account did=${did}`)
  const car = await readCar(body.blocks as Uint8Array)
  const commitCid = asCid(body.commit)
  if (!commitCid) throw new Error('source frame has no commit cid')
  const commit = await new MemoryBlockstore(car.blocks).readObj(commitCid, def.commit)
  const rev = opts.rev ?? TID.nextStr(commit.rev)
  const signed = await signCommit({ ...unsignedOf(commit), rev }, key)
  const blocks = new BlockMap()
  const cid = await blocks.add(signed)
  const time = new Date().toISOString()
  return encodeFrame({ op: 1, t: '#sync' }, { seq: opts.seq, did, rev, blocks: encodeCar(cid, [blocks]), time })
}

function unsignedOf(commit: Commit) {
  return { did: commit.did, version: 3 as const, rev: commit.rev, prev: null, data: commit.data }
}

/** The body with its commit block replaced: new block, new CID, CAR root and `commit` link. */
async function withCommit(body: Body, blocks: BlockMap, oldCid: CID, commit: Commit): Promise<Body> {
  const replacement = new BlockMap()
  const cid = await replacement.add(commit)
  const rest = new BlockMap()
  for (const [c, bytes] of blocks) if (!c.equals(oldCid)) rest.set(c, bytes)
  return { ...body, commit: cid, blocks: encodeCar(cid, [replacement, rest]) }
}

/** The same blocks, except that one byte of a new record's `createdAt` digits is changed. */
async function corruptRecordBlock(blocks: BlockMap, body: Body): Promise<BlockMap> {
  for (const raw of body.ops as unknown[]) {
    const cid = asCid((raw as Body).cid)
    const bytes = cid && blocks.get(cid)
    if (!cid || !bytes) continue
    const createdAt = (cborToLex(bytes) as Body).createdAt
    if (typeof createdAt !== 'string') continue
    const at = Buffer.from(bytes).indexOf(Buffer.from(createdAt))
    if (at < 0) continue
    const corrupt = Uint8Array.from(bytes)
    const digit = at + createdAt.length - 2 // last digit before 'Z': stays a valid datetime
    corrupt[digit] = (corrupt[digit] as number) ^ 1
    const out = new BlockMap()
    for (const [c, b] of blocks) out.set(c, c.equals(cid) ? corrupt : b)
    return out
  }
  throw new Error('source frame has no record block with createdAt to corrupt')
}

/** `s' = n − s`: the same signature in its malleable high-S form. */
function toHighS(sig: Uint8Array, n: bigint): Uint8Array<ArrayBuffer> {
  if (sig.length !== 64) throw new Error(`expected a compact signature length=${sig.length}`)
  const s = BigInt(`0x${Buffer.from(sig.subarray(32)).toString('hex')}`)
  const high = (n - s).toString(16).padStart(64, '0')
  const out = Uint8Array.from(sig)
  out.set(Buffer.from(high, 'hex'), 32)
  return out
}

/** An offset in the middle of the CAR's last block, so the cut CAR cannot parse. */
function midLastBlock(car: Uint8Array): number {
  let pos = 0
  let last = { start: 0, end: 0 }
  while (pos < car.length) {
    let length = 0
    let shift = 1
    let byte: number
    do {
      byte = car[pos++] as number
      length += (byte & 0x7f) * shift
      shift *= 128
    } while (byte & 0x80)
    last = { start: pos, end: pos + length }
    pos += length
  }
  return last.start + Math.floor((last.end - last.start) / 2)
}

const twins = new Map<string, Promise<FixtureAccount>>()

/** A second DID in the PLC directory with the same signing key (so only the DID check can fail). */
function twinOf(account: FixtureAccount, plcUrl: string): Promise<FixtureAccount> {
  const key = `${plcUrl} ${account.did}`
  let twin = twins.get(key)
  if (!twin) {
    twin = createKeypair('secp256k1').then((rotationKey) =>
      registerAccount({
        plcUrl,
        handle: `twin-${account.handle}`,
        keyType: account.keyType,
        rotationKey,
        pdsEndpoint: 'https://pds.donottrain.test',
        signingKey: account.signingKey,
      }),
    )
    twins.set(key, twin)
  }
  return twin
}
