import { isValidDid, isValidNsid, isValidRecordKey } from '@atproto/syntax'
import type { ParsedKey } from '../crypto/index.js'
import { type BlockMap, formatMstKey, type MstPath, walkPath } from '../mst/index.js'
import { ok, type Result } from '../mst/result.js'
import { readCar } from './car-reader.js'
import { checkCommitSignature } from './check-signature.js'
import { decodeCommit } from './commit.js'
import { type ProofError, proofError } from './errors.js'
import { tidTime } from './tid.js'
import type { VerifiedCommit, VerifyProofOptions } from './types.js'

/** A proof CAR whose commit is signed by the DID asked about, walked to the key asked about. */
export type OpenedProof = {
  uri: string
  commit: VerifiedCommit
  signingKey: ParsedKey
  path: MstPath
  blocks: BlockMap
}

/**
 * The steps every proof shares: check the request, read the CAR strictly, decode the commit at
 * its root, check the DID and the signature, then walk the signed MST to the record's key.
 */
export async function openProof(car: Uint8Array, opts: VerifyProofOptions): Promise<Result<OpenedProof, ProofError>> {
  const { did, collection, rkey } = opts
  if (typeof did !== 'string' || !isValidDid(did)) return proofError('InvalidRequest', `invalid did did=${String(did)}`)
  if (typeof collection !== 'string' || !isValidNsid(collection)) {
    return proofError('InvalidRequest', `invalid collection nsid collection=${String(collection)}`)
  }
  if (typeof rkey !== 'string' || !isValidRecordKey(rkey)) {
    return proofError('InvalidRequest', `invalid record key rkey=${String(rkey)}`)
  }
  const read = readCar(car, opts.limits)
  if (!read.ok) return read
  const { root, blocks } = read.value
  const commitBytes = blocks.get(root)
  if (commitBytes === undefined) return proofError('MalformedCar', `car root block is missing cid=${root}`)
  const commit = decodeCommit(commitBytes)
  if (!commit.ok) return commit
  if (commit.value.did !== did) {
    return proofError('DidMismatch', `commit is for another did expected=${did} actual=${commit.value.did}`)
  }
  const signingKey = await checkCommitSignature(commit.value, opts)
  if (!signingKey.ok) return signingKey
  const path = walkPath(commit.value.data, formatMstKey(collection, rkey), blocks)
  if (!path.ok) {
    return proofError('MstPathBroken', `mst path does not prove the key: ${path.error.message}`, path.error)
  }
  const { data, rev, prev } = commit.value
  return ok({
    uri: `at://${did}/${collection}/${rkey}`,
    commit: { cid: root, did, rev, time: tidTime(rev), data, prev },
    signingKey: signingKey.value,
    path: path.value,
    blocks,
  })
}
