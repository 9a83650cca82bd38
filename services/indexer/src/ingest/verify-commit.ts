import { checkCommitSignature, decodeCommit, invertOps, type KeyResolver, readCar } from '@donottrain/verifier'
import { isOutage } from './outage.js'
import { tidTimestampMs } from './tid.js'
import type { CommitCheck, CommitRejection, CommitVerifier } from './types.js'

export interface CommitVerifierOptions {
  resolver: KeyResolver
  maxRevSkewMs: number
  maxCarBytes: number
  now?: () => number
}

const reject = (reason: string, message: string, desync = false): CommitCheck => {
  const error: CommitRejection = desync ? { reason, message, desync } : { reason, message }
  return { ok: false, error }
}

/**
 * Validates a #commit as the atproto sync spec (with Sync 1.1) demands: the CAR's root is the
 * commit and every block hashes to its CID; the commit's DID and rev match the event; the rev
 * moves forward and is not from the future; the signature verifies with the DID document's
 * #atproto key (one forced refresh on failure); `since`/`prevData` continue the stored chain;
 * and inverting the ops on the new MST reproduces `prevData`.
 */
export function createCommitVerifier(opts: CommitVerifierOptions): CommitVerifier {
  const now = opts.now ?? Date.now
  return async (event, repo) => {
    const car = readCar(event.blocks, { maxBytes: opts.maxCarBytes, maxBlocks: 10_000 })
    if (!car.ok) return reject('bad-car', car.error.message)
    if (car.value.root !== event.commit)
      return reject('car-root-mismatch', `car root is not the commit root=${car.value.root}`)
    const commitBytes = car.value.blocks.get(event.commit)
    if (!commitBytes) return reject('bad-car', 'commit block missing from car')
    const decoded = decodeCommit(commitBytes)
    if (!decoded.ok) return reject('bad-commit', decoded.error.message)
    const commit = decoded.value
    if (commit.did !== event.repo) return reject('did-mismatch', `commit did=${commit.did} event repo=${event.repo}`)
    if (commit.rev !== event.rev) return reject('rev-mismatch', `commit rev=${commit.rev} event rev=${event.rev}`)
    if (repo && commit.rev <= repo.rev) return reject('stale-rev', `rev=${commit.rev} not after stored rev=${repo.rev}`)
    const revTime = tidTimestampMs(commit.rev)
    if (!(revTime <= now() + opts.maxRevSkewMs)) return reject('future-rev', `rev=${commit.rev} is in the future`)

    const sig = await checkCommitSignature(commit, { resolver: opts.resolver })
    if (!sig.ok) {
      // The DID directory (or did:web host) being down says nothing about the commit: retry later.
      if (sig.error.code === 'KeyNotFound' && isOutage(sig.error.cause)) {
        return { ok: false, error: { reason: 'did-unavailable', message: sig.error.message, retry: true } }
      }
      return reject(sig.error.code === 'BadSignature' ? 'bad-signature' : 'key-not-found', sig.error.message)
    }

    if (event.prevData === null) return reject('missing-prev-data', 'commit without prevData (Sync 1.1 requires it)')
    if (repo && (event.since !== repo.rev || event.prevData !== repo.data_cid)) {
      return reject(
        'chain-broken',
        `since=${event.since} prevData=${event.prevData} stored rev=${repo.rev} data=${repo.data_cid}`,
        true,
      )
    }
    const inverted = invertOps(commit.data, event.ops, car.value.blocks)
    if (!inverted.ok) return reject('inversion-failed', inverted.error.message)
    if (inverted.value !== event.prevData) {
      return reject('inversion-mismatch', `inverted root=${inverted.value} prevData=${event.prevData}`)
    }
    return {
      ok: true,
      value: {
        did: commit.did,
        rev: commit.rev,
        commitCid: event.commit,
        dataCid: commit.data,
        blocks: car.value.blocks,
      },
    }
  }
}
