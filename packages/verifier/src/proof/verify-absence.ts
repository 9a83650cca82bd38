import { ok, type Result } from '../mst/result.js'
import { type ProofError, proofError } from './errors.js'
import { openProof } from './open-proof.js'
import type { AbsenceProof, VerifyProofOptions } from './types.js'

/**
 * Verifies an absence proof: a CAR whose root is a commit signed by `did`, holding the MST nodes
 * that show no entry at `<collection>/<rkey>` (`com.atproto.sync.getRecord` returns one for a
 * record that does not exist). Fails like verifyRecordProof, and with RecordPresent when the
 * signed tree does hold a record at the key.
 */
export async function verifyAbsence(
  car: Uint8Array,
  opts: VerifyProofOptions,
): Promise<Result<AbsenceProof, ProofError>> {
  const opened = await openProof(car, opts)
  if (!opened.ok) return opened
  const { uri, commit, signingKey, path } = opened.value
  if (path.value !== null) {
    return proofError(
      'RecordPresent',
      `the signed commit has a record at the key uri=${uri} cid=${path.value} rev=${commit.rev}`,
    )
  }
  const { did, collection, rkey } = opts
  return ok({ did, collection, rkey, uri, commit, signingKey })
}
