import { err, ok, type Result } from '@donottrain/lexicon'
import { buildProofCar, type KeyResolver, readCar } from '@donottrain/verifier'
import type { RecordChange } from '../db/record-write.js'
import { recordChange } from '../ingest/extract.js'
import { PROCESSOR_BY_COLLECTION } from '../processors/index.js'
import { SyncError } from './errors.js'
import { listLeaves } from './mst-walk.js'
import { type RepoSnapshot, signedCommit } from './snapshot.js'

/** Every collection a processor reads: a whole-repository snapshot covers them all. */
export const ALL_COLLECTIONS: readonly string[] = [...PROCESSOR_BY_COLLECTION.keys()]

/** Blocks a repository CAR may hold (a large account has a few hundred thousand). */
const MAX_REPO_BLOCKS = 5_000_000

/**
 * Reads a whole-repository CAR (com.atproto.sync.getRepo) into a verified snapshot: every block
 * hashes to its CID, the root is a commit of `did` signed with its key, and every record of a
 * processed collection is extracted with its proof (commit + MST path + record), taken from
 * the verified blocks. Records that make no declaration are left out: the snapshot covers
 * every processed collection, so stored declarations not in it are gone.
 */
export async function snapshotFromRepoCar(
  did: string,
  bytes: Uint8Array,
  resolver: KeyResolver,
  reject: (reason: string) => void,
): Promise<Result<RepoSnapshot, SyncError>> {
  const car = readCar(bytes, { maxBytes: bytes.length, maxBlocks: MAX_REPO_BLOCKS })
  if (!car.ok) return err(new SyncError('BadResponse', `repo car: ${car.error.message}`, { cause: car.error }))
  const commit = await signedCommit(did, car.value, resolver)
  if (!commit.ok) return commit
  const { root, blocks } = car.value
  const leaves = listLeaves(
    commit.value.data,
    blocks,
    ALL_COLLECTIONS.map((c) => `${c}/`),
  )
  if (!leaves.ok) return err(new SyncError('BadResponse', `repo mst: ${leaves.error.message}`, { cause: leaves.error }))
  const prove = (path: string) => {
    const proof = buildProofCar(root, blocks, path)
    return proof.ok ? proof.value : null
  }
  const records: RecordChange[] = []
  for (const leaf of leaves.value) {
    const change = recordChange(did, leaf.key, leaf.cid, blocks, prove, reject)
    if (change?.extracted) records.push(change)
  }
  return ok({
    did,
    rev: commit.value.rev,
    dataCid: commit.value.data,
    commitCid: root,
    records,
    covered: { collections: ALL_COLLECTIONS, uris: [] },
    mode: 'full',
  })
}
