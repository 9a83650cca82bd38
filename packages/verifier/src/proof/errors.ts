export type ProofErrorCode =
  | 'InvalidRequest' // the did, collection or rkey asked about is not valid syntax
  | 'MalformedCar' // not a strict CAR v1 (framing, header, one root, caps, trailing bytes)
  | 'CidMismatch' // a block's bytes do not hash to its CID
  | 'MalformedCommit' // the root block is not a v3 repository commit
  | 'DidMismatch' // the commit is signed for another DID
  | 'KeyNotFound' // no signing key: none given, or the resolver failed
  | 'BadSignature' // the commit signature does not verify with the account's key
  | 'MstPathBroken' // a block on the path from the commit to the key is missing or invalid
  | 'RecordNotFound' // the signed tree has no record at the key
  | 'RecordPresent' // an absence proof, but the signed tree has a record at the key
  | 'MalformedRecord' // the record block is not a DAG-CBOR map

/** Every failure of the proof folder: `code` is stable, the message is for people. */
export class ProofError extends Error {
  override name = 'ProofError'

  constructor(
    readonly code: ProofErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

export const proofError = (
  code: ProofErrorCode,
  message: string,
  cause?: unknown,
): { ok: false; error: ProofError } => ({
  ok: false,
  error: new ProofError(code, message, cause === undefined ? undefined : { cause }),
})
