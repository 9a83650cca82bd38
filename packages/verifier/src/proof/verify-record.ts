import { BytesWrapper, CidLinkWrapper, decode as decodeCbor } from '@atcute/cbor'
import { ok, type Result } from '../mst/result.js'
import { type ProofError, proofError } from './errors.js'
import { type OpenedProof, openProof } from './open-proof.js'
import type { AbsenceProof, RecordProof, VerifyProofOptions } from './types.js'

const isPlainMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  !(value instanceof CidLinkWrapper) &&
  !(value instanceof BytesWrapper)

/**
 * Verifies a record (inclusion) proof: a CAR whose root is a commit signed by `did`, holding the
 * MST nodes from the commit's data root to `<collection>/<rkey>` and the record block, as
 * `com.atproto.sync.getRecord` returns it. The signing key is `key`, or else asked of `resolver`
 * (once more with forceRefresh when the signature fails, in case the key rotated).
 *
 * Fails with InvalidRequest, MalformedCar, CidMismatch, MalformedCommit, DidMismatch, KeyNotFound,
 * BadSignature, MstPathBroken (a node or the record block missing or invalid), RecordNotFound
 * (the signed tree proves there is no such record) or MalformedRecord.
 */
export async function verifyRecordProof(
  car: Uint8Array,
  opts: VerifyProofOptions,
): Promise<Result<RecordProof, ProofError>> {
  const opened = await openProof(car, opts)
  if (!opened.ok) return opened
  if (opened.value.path.value === null) {
    const { uri, commit } = opened.value
    return proofError('RecordNotFound', `no record at the key in the signed commit uri=${uri} rev=${commit.rev}`)
  }
  return readRecord(opened.value, opts)
}

/** What a proof of one key establishes: the record there, or that there is none. */
export type KeyProof = { present: true; proof: RecordProof } | { present: false; proof: AbsenceProof }

/**
 * Verifies a `com.atproto.sync.getRecord` CAR either way: it proves the record at the key, or
 * that there is none (one signature check, where verifyRecordProof then verifyAbsence take two).
 * Fails like verifyRecordProof, never with RecordNotFound.
 */
export async function verifyKeyProof(car: Uint8Array, opts: VerifyProofOptions): Promise<Result<KeyProof, ProofError>> {
  const opened = await openProof(car, opts)
  if (!opened.ok) return opened
  const { uri, commit, signingKey, path } = opened.value
  if (path.value === null) {
    const { did, collection, rkey } = opts
    return ok({ present: false, proof: { did, collection, rkey, uri, commit, signingKey } })
  }
  const record = readRecord(opened.value, opts)
  return record.ok ? ok({ present: true, proof: record.value }) : record
}

function readRecord(opened: OpenedProof, opts: VerifyProofOptions): Result<RecordProof, ProofError> {
  const { uri, commit, signingKey, path, blocks } = opened
  const recordCid = path.value as string
  const bytes = blocks.get(recordCid)
  if (bytes === undefined) return proofError('MstPathBroken', `record block is missing from the car cid=${recordCid}`)
  let record: unknown
  try {
    record = decodeCbor(bytes)
  } catch (cause) {
    return proofError('MalformedRecord', `record is not canonical dag-cbor cid=${recordCid}`, cause)
  }
  if (!isPlainMap(record)) return proofError('MalformedRecord', `record is not a map cid=${recordCid}`)
  const { did, collection, rkey } = opts
  return ok({ did, collection, rkey, uri, record, recordCid, commit, signingKey })
}
