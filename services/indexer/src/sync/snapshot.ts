import { err, ok, type Result } from '@donottrain/lexicon'
import { type Car, type Commit, checkCommitSignature, decodeCommit, type KeyResolver } from '@donottrain/verifier'
import type { SnapshotWrite } from '../db/snapshot-write.js'
import { isOutage } from '../ingest/outage.js'
import { SyncError } from './errors.js'

/** How a snapshot was read: the whole repository (getRepo), or record by record (getRecord). */
export type SyncMode = 'full' | 'targeted'

/** A verified snapshot of an account's repository, ready for Store.applySnapshot. */
export type RepoSnapshot = Omit<SnapshotWrite, 'keepDesynchronized' | 'requireTracked'> & { mode: SyncMode }

/**
 * The signed commit at a CAR's root, for `did`, with its signature checked against the DID
 * document's key (one forced refresh when it fails). A DID directory outage is retryable.
 */
export async function signedCommit(
  did: string,
  car: Car,
  resolver: KeyResolver,
  verified?: Set<string>,
): Promise<Result<Commit, SyncError>> {
  const bytes = car.blocks.get(car.root)
  if (bytes === undefined) return err(new SyncError('BadResponse', `car root block missing cid=${car.root}`))
  const commit = decodeCommit(bytes)
  if (!commit.ok) return err(new SyncError('BadResponse', commit.error.message, { cause: commit.error }))
  if (commit.value.did !== did) {
    return err(new SyncError('BadResponse', `commit is for another did did=${did} commit_did=${commit.value.did}`))
  }
  if (verified?.has(car.root)) return commit
  const sig = await checkCommitSignature(commit.value, { resolver })
  if (!sig.ok) {
    const { code, message } = sig.error
    if (code === 'BadSignature') return err(new SyncError('BadSignature', message, { cause: sig.error }))
    const retry = isOutage(sig.error.cause)
    return err(new SyncError(retry ? 'DidUnavailable' : 'DidNotResolved', message, { cause: sig.error }))
  }
  verified?.add(car.root)
  return ok(commit.value)
}
