import type { RepoTable } from '../db/schema.js'
import type { CommitWrite, Cursor } from '../db/store.js'

/**
 * Validated commits not yet written, to be applied together in one transaction with the firehose
 * cursor (one commit of the store per batch, not per commit). Until then `repos` holds the state
 * each account will have, so a later commit of the same account is checked against it.
 */
export class CommitBatch {
  readonly writes: CommitWrite[] = []
  readonly repos = new Map<string, RepoTable>()
  /** Accounts first tracked by a commit of this batch (untracked again if it is not written). */
  readonly newlyTracked: string[] = []
  /** The cursor saved with the batch: every event up to it is in the batch or writes nothing. */
  cursor: Cursor | undefined
  /** Settles when the batch is written (or failed to be). */
  readonly written: Promise<void>
  private settle: { resolve(): void; reject(err: unknown): void } = { resolve() {}, reject() {} }

  constructor() {
    this.written = new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject }
    })
    // Each event's handler awaits `written`; none may be left waiting when the batch fails.
    this.written.catch(() => {})
  }

  add(write: CommitWrite, stored: RepoTable | undefined, cursor: Cursor | undefined): void {
    this.writes.push(write)
    if (cursor) this.cursor = cursor
    if (!write.track) return
    this.repos.set(write.did, {
      did: write.did,
      rev: write.rev,
      data_cid: write.dataCid,
      commit_cid: write.commitCid,
      status: stored?.status ?? 'active',
      handle: stored?.handle ?? null,
      updated_at: new Date().toISOString(),
      resync_rev: stored?.resync_rev ?? null,
    })
  }

  done(): void {
    this.settle.resolve()
  }

  fail(err: unknown): void {
    this.settle.reject(err)
  }
}
