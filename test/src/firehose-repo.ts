import { TID } from '@atproto/common'
import {
  BlockMap,
  type Commit,
  type CommitData,
  DataDiff,
  formatDataKey,
  MemoryBlockstore,
  type MST,
  Repo,
  signCommit,
  WriteOpAction,
} from '@atproto/repo'
import type { FixtureAccount } from './firehose-accounts.js'
import { encodeCar } from './firehose-car.js'
import { encodeFrame } from './firehose-frame.js'
import { PickBag } from './firehose-random.js'
import type { LexRecord } from './firehose-records.js'

/** A multiformats CID as @atproto/repo hands it out. */
export type CID = CommitData['cid']

/** One op of a `#commit` event, as the PDS sequences it. */
export interface CommitOp {
  action: 'create' | 'update' | 'delete'
  path: string
  cid: CID | null
  prev?: CID
}

export interface StoredRecord {
  cid: CID
  /** Kept only for collections the generator rewrites (profile, declarations). */
  record?: LexRecord
}

/** A write the generator wants to make; `record` is absent for deletes. */
export interface PlannedWrite {
  action: 'create' | 'update' | 'delete'
  collection: string
  rkey: string
  record?: LexRecord
}

export interface BuiltCommit {
  bytes: Uint8Array
  cid: CID
  rev: string
  since: string
  ops: CommitOp[]
  prevData: CID
}

/**
 * One account's repository, grown commit by commit with @atproto/repo, remembering what each
 * path holds so the generator can pick records to update or delete and fill in op `prev`.
 */
export class AccountRepo {
  readonly records = new Map<string, StoredRecord>()
  private readonly bags = new Map<string, PickBag>()

  private constructor(
    readonly account: FixtureAccount,
    private data: MST,
    private head: { commit: Commit; cid: CID },
    private readonly keep: ReadonlySet<string>,
  ) {}

  /**
   * A repo that already holds `history` records (its state before the stream starts: no frame is
   * emitted for it), with revs and record keys in the past.
   */
  static async create(
    account: FixtureAccount,
    history: Array<{ collection: string; record: LexRecord; createdAtMs: number }>,
    keep: ReadonlySet<string>,
  ): Promise<AccountRepo> {
    const storage = new MemoryBlockstore()
    const sorted = [...history].sort((a, b) => a.createdAtMs - b.createdAtMs)
    const writes = sorted.map((h, i) => ({
      action: WriteOpAction.Create as const,
      collection: h.collection,
      rkey: TID.fromTime(h.createdAtMs * 1000 + i, i % 32).toString(),
      record: h.record,
    }))
    const lastMs = sorted.at(-1)?.createdAtMs ?? Date.now() - 86_400_000
    const rev = TID.fromTime(lastMs * 1000 + writes.length + 1, 0).toString()
    const init = await Repo.formatInitCommit(storage, account.did, account.signingKey, writes, rev)
    const repo = await Repo.createFromCommit(storage, init)
    const state = new AccountRepo(account, repo.data, { commit: repo.commit, cid: repo.cid }, keep)
    const recordBlocks = new BlockMap()
    for (const w of writes) state.remember(w.collection, w.rkey, await recordBlocks.add(w.record), w.record)
    return state
  }

  get rev(): string {
    return this.head.commit.rev
  }

  get commitCid(): CID {
    return this.head.cid
  }

  get dataCid(): CID {
    return this.head.commit.data
  }

  bag(collection: string): PickBag {
    let bag = this.bags.get(collection)
    if (!bag) {
      bag = new PickBag()
      this.bags.set(collection, bag)
    }
    return bag
  }

  /**
   * Commits the writes as the PDS does (`processWrites` → `Repo.formatCommit`) and encodes the
   * `#commit` frame: the CAR carries the new blocks plus the Sync 1.1 covering proofs.
   */
  async commit(writes: PlannedWrite[], seq: number): Promise<BuiltCommit> {
    const recordBlocks = new BlockMap()
    const ops: CommitOp[] = []
    for (const w of writes) {
      const path = formatDataKey(w.collection, w.rkey)
      const prev = this.records.get(path)?.cid
      if (w.action === 'create' ? prev : !prev) throw new Error(`${w.action} does not fit the repo path=${path}`)
      if (w.action === 'delete') {
        ops.push({ action: 'delete', path, cid: null, prev })
      } else {
        if (!w.record) throw new Error(`write without record path=${path}`)
        const cid = await recordBlocks.add(w.record)
        ops.push(w.action === 'create' ? { action: 'create', path, cid } : { action: 'update', path, cid, prev })
      }
    }
    const prevData = this.head.commit.data
    const since = this.head.commit.rev
    const { data, cid, rev, blocks } = await this.formatCommit(ops, recordBlocks)
    for (const [i, w] of writes.entries()) {
      const op = ops[i] as CommitOp
      if (op.prev) this.forget(w.collection, w.rkey)
      if (op.cid) this.remember(w.collection, w.rkey, op.cid, w.record)
    }
    this.data = data
    const body = {
      seq,
      rebase: false,
      tooBig: false,
      repo: this.account.did,
      commit: cid,
      rev,
      since,
      blocks: encodeCar(cid, blocks),
      ops,
      blobs: [],
      prevData,
      time: new Date().toISOString(),
    }
    return { bytes: encodeFrame({ op: 1, t: '#commit' }, body), cid, rev, since, ops, prevData }
  }

  /**
   * `Repo.formatCommit` of @atproto/repo 0.8.13, step for step, plus the PDS's `formatCommit`
   * additions (record blocks already present elsewhere in the repo) and `formatSeqCommit`'s
   * block set (new blocks, then relevant blocks). It keeps the new MST in memory instead of
   * reloading it from storage, which makes long runs several times faster.
   */
  private async formatCommit(ops: CommitOp[], recordBlocks: BlockMap) {
    let data = this.data
    for (const op of ops) {
      if (op.action === 'create') data = await data.add(op.path, op.cid as CID)
      else if (op.action === 'update') data = await data.update(op.path, op.cid as CID)
      else data = await data.delete(op.path)
    }
    const dataCid = await data.getPointer()
    const diff = await DataDiff.of(data, this.data)
    const proofs = await Promise.all(ops.map((op) => data.getCoveringProof(op.path)))
    const leaves = recordBlocks.getMany(diff.newLeafCids.toList())
    if (leaves.missing.length > 0) throw new Error(`missing leaf blocks: ${leaves.missing.join(',')}`)
    const rev = TID.nextStr(this.head.commit.rev)
    const unsigned = { did: this.account.did, version: 3 as const, rev, prev: null, data: dataCid }
    const signed = await signCommit(unsigned, this.account.signingKey)
    const commitBlock = new BlockMap()
    const cid = await commitBlock.add(signed)
    this.head = { commit: signed, cid }
    // newBlocks = mst diff + leaves + commit; relevantBlocks = proofs + leaves + commit
    const blocks = [diff.newMstBlocks, leaves.blocks, commitBlock, ...proofs, recordBlocks]
    return { data, cid, rev, blocks }
  }

  private remember(collection: string, rkey: string, cid: CID, record: LexRecord | undefined) {
    const stored: StoredRecord = { cid }
    if (record && this.keep.has(collection)) stored.record = record
    this.records.set(formatDataKey(collection, rkey), stored)
    this.bag(collection).add(rkey)
  }

  private forget(collection: string, rkey: string) {
    const path = formatDataKey(collection, rkey)
    this.records.delete(path)
    this.bag(collection).delete(rkey)
  }
}
