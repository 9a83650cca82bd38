import { type BlockMap, provePath } from '../mst/index.js'
import { ok, type Result } from '../mst/result.js'
import { writeCar } from './car-writer.js'
import { decodeCommit } from './commit.js'
import { type ProofError, proofError } from './errors.js'

/**
 * Builds the proof CAR of one MST key (`<collection>/<rkey>`) at a commit from a block map that
 * holds the commit, the MST nodes on the key's path and (when present) the record: the commit
 * first, then the nodes root first, then the record. It proves presence or absence alike.
 * Fails with MalformedCar (commit block missing), MalformedCommit, InvalidRequest (not an MST
 * key) or MstPathBroken.
 */
export function buildProofCar(commitCid: string, blocks: BlockMap, key: string): Result<Uint8Array, ProofError> {
  const commitBytes = blocks.get(commitCid)
  if (commitBytes === undefined) return proofError('MalformedCar', `commit block is missing cid=${commitCid}`)
  const commit = decodeCommit(commitBytes)
  if (!commit.ok) return commit
  const path = provePath(commit.value.data, key, blocks)
  if (!path.ok) {
    const code = path.error.code === 'InvalidKey' ? 'InvalidRequest' : 'MstPathBroken'
    return proofError(code, `cannot prove the key: ${path.error.message}`, path.error)
  }
  const entries: [string, Uint8Array][] = [[commitCid, commitBytes]]
  for (const cid of path.value) {
    const bytes = blocks.get(cid)
    if (bytes === undefined) return proofError('MstPathBroken', `record block is missing cid=${cid}`)
    entries.push([cid, bytes])
  }
  return ok(writeCar(commitCid, entries))
}
