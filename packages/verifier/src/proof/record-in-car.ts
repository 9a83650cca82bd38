import { cidToString, decodeNode } from '../mst/index.js'
import { ok, type Result } from '../mst/result.js'
import { readCar } from './car-reader.js'
import { decodeCommit } from './commit.js'
import { type ProofError, proofError } from './errors.js'
import type { CarLimits } from './types.js'

/**
 * Which record a record-proof CAR is about, when it does not say (a proof file on its own): the
 * commit's DID, and the one MST entry whose record block the CAR carries. Only a guess of what
 * to verify — verifyRecordProof then checks it from the signed root. InvalidRequest when the
 * CAR carries no record block (an absence proof: the key must be named) or several.
 */
export function recordInCar(
  car: Uint8Array,
  limits?: CarLimits,
): Result<{ did: string; collection: string; rkey: string }, ProofError> {
  const read = readCar(car, limits)
  if (!read.ok) return read
  const { root, blocks } = read.value
  const commitBytes = blocks.get(root)
  if (commitBytes === undefined) return proofError('MalformedCar', `car root block is missing cid=${root}`)
  const commit = decodeCommit(commitBytes)
  if (!commit.ok) return commit
  const keys = new Set<string>()
  for (const [cid, bytes] of blocks) {
    if (cid === root) continue
    const node = decodeNode(bytes)
    if (!node.ok) continue
    for (const entry of node.value.entries) {
      const value = cidToString(entry.value)
      if (blocks.has(value) && !decodeNode(blocks.get(value) as Uint8Array).ok) keys.add(entry.key)
    }
  }
  if (keys.size !== 1) {
    const what = keys.size === 0 ? 'no record block (an absence proof?)' : `${keys.size} record blocks`
    return proofError('InvalidRequest', `cannot tell which record the car proves: it carries ${what}`)
  }
  const [key] = keys as Set<string>
  const slash = (key as string).indexOf('/')
  return ok({
    did: commit.value.did,
    collection: (key as string).slice(0, slash),
    rkey: (key as string).slice(slash + 1),
  })
}
