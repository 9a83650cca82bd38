import { parseCidFromBytes, TID, verifyCidForBytes } from '@atproto/common'
import {
  type BlockMap,
  type Commit,
  type CommitData,
  def,
  ensureV3Commit,
  MemoryBlockstore,
  MST,
  readCar,
  verifyCommitSig,
} from '@atproto/repo'
import { decodeFrame } from './firehose-frame.js'

type CID = CommitData['cid']

/** The commit-validation steps of the indexer issue, each done with @atproto/repo primitives. */
export type ReferenceCheck =
  | 'frame-size' // frame larger than the cap
  | 'cbor' // not two well-formed DAG-CBOR items (fatal)
  | 'header' // header is not { op: 1, t } (fatal)
  | 'depth' // body nests deeper than the cap
  | 'body' // body lacks a field of its type (fatal)
  | 'car' // blocks is not a well-formed CAR (fatal)
  | 'car-root' // CAR root differs from the commit
  | 'block-cid' // a block does not hash to its CID
  | 'commit-block' // commit block missing or not a v3 commit (fatal)
  | 'commit-did' // commit.did differs from the event's repo/did
  | 'commit-rev' // commit.rev differs from the event's rev, or is not a TID
  | 'signature' // commit signature fails with the DID document's #atproto key (low-S only)
  | 'rev-order' // rev not greater than the last accepted rev (stale or replayed)
  | 'future-rev' // rev timestamp too far in the future
  | 'chain' // since/prevData do not continue the last accepted commit
  | 'inversion' // inverting the ops on the new MST does not give prevData
  | 'record-cid' // a create/update op's record block is missing

export interface ReferenceCheckResult {
  /** Header `t` (`#commit`, `#sync`, …); undefined when the frame did not decode. */
  type?: string
  did?: string
  rev?: string
  /** Every check the frame failed; empty when it was accepted. */
  failures: ReferenceCheck[]
  accepted: boolean
}

export interface ReferenceCheckerOptions {
  /** The `did:key` of a DID's #atproto key, from its DID document. */
  resolveKey(did: string): Promise<string>
  /** Default 5 MiB. */
  maxFrameBytes?: number
  /** Deepest allowed nesting of the body, the body map counting as 1 (default 32). */
  maxDepth?: number
  /** How far in the future a rev may be (default 5 minutes). */
  futureToleranceMs?: number
}

/** Nesting depth of a decoded value: maps and arrays count, the outermost as 1; CIDs and bytes do not. */
export function cborDepth(value: unknown): number {
  if (Array.isArray(value)) return 1 + value.reduce((max: number, v) => Math.max(max, cborDepth(v)), 0)
  if (typeof value === 'object' && value !== null) {
    const proto = Object.getPrototypeOf(value)
    if (proto !== Object.prototype && proto !== null) return 0
    return 1 + Object.values(value).reduce((max: number, v) => Math.max(max, cborDepth(v)), 0)
  }
  return 0
}

/**
 * A test oracle that validates `#commit` and `#sync` frames as the indexer issue demands, using
 * the reference implementation's primitives (@atproto/repo readCar, verifyCommitSig, MST;
 * @atproto/common CID checks). Unlike a real consumer it runs every non-fatal check and reports
 * all failures, so a test can assert that a hostile frame fails exactly the check it targets.
 * Accepted commits advance the per-account state (`rev`, MST root) used for the chain checks.
 */
export class ReferenceChecker {
  readonly state = new Map<string, { rev: string; data: string }>()

  constructor(private readonly opts: ReferenceCheckerOptions) {}

  async check(bytes: Uint8Array): Promise<ReferenceCheckResult> {
    const failures: ReferenceCheck[] = []
    const result = (extra: Omit<ReferenceCheckResult, 'failures' | 'accepted'> = {}): ReferenceCheckResult => ({
      ...extra,
      failures,
      accepted: failures.length === 0,
    })
    if (bytes.length > (this.opts.maxFrameBytes ?? 5 * 1024 * 1024)) failures.push('frame-size')
    let frame: ReturnType<typeof decodeFrame>
    try {
      frame = decodeFrame(bytes)
    } catch {
      failures.push('cbor')
      return result()
    }
    const { header, body } = frame
    if (header.op !== 1 || typeof header.t !== 'string') {
      failures.push('header')
      return result()
    }
    const type = header.t
    if (cborDepth(body) > (this.opts.maxDepth ?? 32)) failures.push('depth')
    if (type !== '#commit' && type !== '#sync') return result({ type })
    const isCommit = type === '#commit'
    const did = isCommit ? body.repo : body.did
    const { rev, blocks } = body
    const commitRef = isCommit ? asCid(body.commit) : undefined
    const opsOk =
      !isCommit ||
      (commitRef !== undefined && Array.isArray(body.ops) && (body.since === null || typeof body.since === 'string'))
    if (typeof did !== 'string' || typeof rev !== 'string' || !(blocks instanceof Uint8Array) || !opsOk) {
      failures.push('body')
      return result({ type })
    }
    const data = await this.checkCommitEvent(failures, { isCommit, did, rev, blocks, commitRef, body })
    if (failures.length === 0 && data) this.state.set(did, { rev, data })
    return result({ type, did, rev })
  }

  /** Runs the checks of a #commit or #sync event; returns the new MST root when it got that far. */
  private async checkCommitEvent(
    failures: ReferenceCheck[],
    evt: {
      isCommit: boolean
      did: string
      rev: string
      blocks: Uint8Array
      commitRef: CID | undefined
      body: Record<string, unknown>
    },
  ): Promise<string | undefined> {
    const fail = (check: ReferenceCheck) => {
      if (!failures.includes(check)) failures.push(check)
    }
    let car: { roots: CID[]; blocks: BlockMap }
    try {
      // readCar without CID verification accepts a last block cut short, so check lengths first.
      if (!carLengthsFit(evt.blocks)) throw new Error('truncated car')
      car = await readCar(evt.blocks, { skipCidVerification: true })
    } catch {
      fail('car')
      return undefined
    }
    const root = car.roots.length === 1 ? car.roots[0] : undefined
    const commitCid = evt.commitRef ?? root
    if (!root || !commitCid || !root.equals(commitCid)) fail('car-root')
    for (const [cid, bytes] of car.blocks) {
      try {
        await verifyCidForBytes(cid, bytes)
      } catch {
        fail('block-cid')
      }
    }
    const storage = new MemoryBlockstore(car.blocks)
    let commit: Commit
    try {
      if (!commitCid) throw new Error('no commit cid')
      commit = ensureV3Commit(await storage.readObj(commitCid, def.versionedCommit))
    } catch {
      fail('commit-block')
      return undefined
    }
    if (commit.did !== evt.did) fail('commit-did')
    if (commit.rev !== evt.rev || !TID.is(evt.rev)) fail('commit-rev')
    let key: string | undefined
    try {
      key = await this.opts.resolveKey(evt.did)
    } catch {
      key = undefined
    }
    if (!key || !(await verifyCommitSig(commit, key))) fail('signature')
    const prior = this.state.get(evt.did)
    const stale = prior !== undefined && evt.rev <= prior.rev
    if (stale) fail('rev-order')
    if (TID.is(evt.rev)) {
      const maxMicros = (Date.now() + (this.opts.futureToleranceMs ?? 5 * 60_000)) * 1000
      if (TID.fromStr(evt.rev).timestamp() > maxMicros) fail('future-rev')
    }
    if (!evt.isCommit) return commit.data.toString()
    const prevData = asCid(evt.body.prevData)
    if (prior && !stale && (evt.body.since !== prior.rev || prevData?.toString() !== prior.data)) fail('chain')
    const ops = evt.body.ops as unknown[]
    if (!(await invertsTo(storage, commit.data, ops, prevData))) fail('inversion')
    for (const op of ops) {
      const cid = asCid((op as Record<string, unknown>)?.cid)
      if (cid && !car.blocks.has(cid)) fail('record-cid')
    }
    return commit.data.toString()
  }
}

/**
 * Sync 1.1 inversion: on the new MST (from the event's blocks only), every op must be reflected,
 * and undoing them (create → delete, update → prev, delete → re-add prev) must give `prevData`.
 */
async function invertsTo(
  storage: MemoryBlockstore,
  data: CID,
  ops: unknown[],
  prevData: CID | undefined,
): Promise<boolean> {
  if (!prevData) return false
  try {
    let mst = MST.load(storage, data)
    for (const raw of ops) {
      const op = raw as Record<string, unknown>
      const path = op.path
      const cid = asCid(op.cid)
      const prev = asCid(op.prev)
      if (typeof path !== 'string') return false
      const current = await mst.get(path)
      if (op.action === 'create' && cid && !prev && current?.equals(cid)) {
        mst = await mst.delete(path)
      } else if (op.action === 'update' && cid && prev && current?.equals(cid)) {
        mst = await mst.update(path, prev)
      } else if (op.action === 'delete' && op.cid === null && prev && current === null) {
        mst = await mst.add(path, prev)
      } else {
        return false
      }
    }
    return (await mst.getPointer()).equals(prevData)
  } catch {
    return false
  }
}

/** True when every length-prefixed section of the CAR (header, blocks) fits in its bytes. */
function carLengthsFit(car: Uint8Array): boolean {
  let pos = 0
  while (pos < car.length) {
    let length = 0
    let shift = 1
    let byte: number | undefined
    do {
      byte = car[pos++]
      if (byte === undefined || shift > 2 ** 49) return false
      length += (byte & 0x7f) * shift
      shift *= 128
    } while (byte & 0x80)
    pos += length
  }
  return pos === car.length
}

/** A decoded CID link as a multiformats CID (the type @atproto/repo works with), else undefined. */
export function asCid(value: unknown): CID | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { bytes, asCID } = value as { bytes?: unknown; asCID?: unknown }
  if (!(bytes instanceof Uint8Array) || asCID !== value) return undefined
  try {
    return parseCidFromBytes(bytes)
  } catch {
    return undefined
  }
}
