import { bytesEqual } from './bytes.js'
import { emptyRoot, HASH_SIZE, nodeHash } from './merkle.js'
import { type Check, fail, passed, TlogError } from './result.js'

export type ProofErrorCode =
  | 'invalid-argument'
  | 'index-out-of-range'
  | 'size-order'
  | 'bad-hash-length'
  | 'wrong-proof-length'
  | 'root-mismatch'

/** A proof that does not verify. Returned, never thrown. */
export class ProofError extends TlogError<ProofErrorCode> {
  override name = 'ProofError'
}

const reject = (code: ProofErrorCode, message: string) => fail(new ProofError(code, message))
const isCount = (n: number): boolean => Number.isSafeInteger(n) && n >= 0
const isOdd = (n: number): boolean => n % 2 === 1
const half = (n: number): number => Math.floor(n / 2)

function badHash(proof: readonly Uint8Array[], ...hashes: Uint8Array[]): ProofError | undefined {
  for (const h of hashes) {
    if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
      return new ProofError('bad-hash-length', `hash must be ${HASH_SIZE} bytes length=${h?.length}`)
    }
  }
  const i = proof.findIndex((h) => !(h instanceof Uint8Array) || h.length !== HASH_SIZE)
  if (i >= 0) return new ProofError('bad-hash-length', `proof hash must be ${HASH_SIZE} bytes position=${i}`)
  return undefined
}

/** RFC 9162 section 2.1.3.2: verifies that `leaf` is leaf `index` of the tree `root` of `size`. */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): Check<ProofError> {
  if (!isCount(index) || !isCount(size)) {
    return reject('invalid-argument', `index and size must be non-negative integers index=${index} size=${size}`)
  }
  // 1. leaf_index must be below tree_size
  if (index >= size) return reject('index-out-of-range', `index out of range index=${index} size=${size}`)
  const bad = badHash(proof, leaf, root)
  if (bad) return fail(bad)
  // 2-3.
  let fn = index
  let sn = size - 1
  let r = leaf
  // 4.
  for (const p of proof) {
    if (sn === 0) {
      return reject('wrong-proof-length', `proof too long length=${proof.length} size=${size}`)
    }
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r)
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn)
        sn = half(sn)
      }
    } else {
      r = nodeHash(r, p)
    }
    fn = half(fn)
    sn = half(sn)
  }
  // 5.
  if (sn !== 0) return reject('wrong-proof-length', `proof too short length=${proof.length} size=${size}`)
  if (!bytesEqual(r, root)) {
    return reject('root-mismatch', `inclusion proof does not lead to the root index=${index} size=${size}`)
  }
  return passed
}

/**
 * RFC 9162 section 2.1.4.2: verifies that the tree `newRoot` of `newSize` leaves extends the
 * tree `oldRoot` of `oldSize` leaves. Equal sizes need equal roots and an empty proof; the empty
 * tree (size 0, root SHA-256 of nothing) is a prefix of every tree, with an empty proof.
 */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  proof: readonly Uint8Array[],
): Check<ProofError> {
  if (!isCount(oldSize) || !isCount(newSize)) {
    return reject('invalid-argument', `sizes must be non-negative integers oldSize=${oldSize} newSize=${newSize}`)
  }
  if (oldSize > newSize) {
    return reject('size-order', `old size above new size oldSize=${oldSize} newSize=${newSize}`)
  }
  const bad = badHash(proof, oldRoot, newRoot)
  if (bad) return fail(bad)
  if (oldSize === newSize || oldSize === 0) {
    if (proof.length !== 0) {
      return reject(
        'wrong-proof-length',
        `proof must be empty length=${proof.length} oldSize=${oldSize} newSize=${newSize}`,
      )
    }
    if (oldSize === 0 && !bytesEqual(oldRoot, emptyRoot())) {
      return reject('root-mismatch', `old root is not the empty tree root oldSize=0 newSize=${newSize}`)
    }
    if (oldSize === newSize && !bytesEqual(oldRoot, newRoot)) {
      return reject('root-mismatch', `roots differ for one size oldSize=${oldSize} newSize=${newSize}`)
    }
    return passed
  }
  // 1.
  if (proof.length === 0) {
    return reject('wrong-proof-length', `proof is empty oldSize=${oldSize} newSize=${newSize}`)
  }
  // 2. if first is an exact power of 2, prepend first_hash
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : proof
  // 3.
  let fn = oldSize - 1
  let sn = newSize - 1
  // 4.
  while (isOdd(fn)) {
    fn = half(fn)
    sn = half(sn)
  }
  // 5.
  let fr = path[0] as Uint8Array
  let sr = fr
  // 6.
  for (let i = 1; i < path.length; i++) {
    const c = path[i] as Uint8Array
    if (sn === 0) {
      return reject('wrong-proof-length', `proof too long length=${proof.length} oldSize=${oldSize} newSize=${newSize}`)
    }
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr)
      sr = nodeHash(c, sr)
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn)
        sn = half(sn)
      }
    } else {
      sr = nodeHash(sr, c)
    }
    fn = half(fn)
    sn = half(sn)
  }
  // 7.
  if (sn !== 0) {
    return reject('wrong-proof-length', `proof too short length=${proof.length} oldSize=${oldSize} newSize=${newSize}`)
  }
  if (!bytesEqual(fr, oldRoot)) {
    return reject('root-mismatch', `proof does not lead to the old root oldSize=${oldSize}`)
  }
  if (!bytesEqual(sr, newRoot)) {
    return reject('root-mismatch', `proof does not lead to the new root newSize=${newSize}`)
  }
  return passed
}

function isPowerOfTwo(n: number): boolean {
  let k = 1
  while (k < n) k *= 2
  return k === n
}
