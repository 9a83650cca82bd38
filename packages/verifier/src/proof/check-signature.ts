import type { ParsedKey } from '../crypto/index.js'
import { ok, type Result } from '../mst/result.js'
import { verifyCommitSignature } from './commit.js'
import { type ProofError, proofError } from './errors.js'
import type { Commit, KeyResolver } from './types.js'

function sameKey(a: ParsedKey, b: ParsedKey): boolean {
  if (a.type !== b.type || a.publicKey.length !== b.publicKey.length) return false
  return a.publicKey.every((byte, i) => byte === b.publicKey[i])
}

/**
 * Checks a commit's signature with the given key, or else with the key the resolver gives for
 * the commit's DID. When the resolved key does not verify, the resolver is asked once more with
 * forceRefresh (the account may have rotated its key since it was cached).
 * Fails with KeyNotFound (no key, or resolution failed) or BadSignature.
 */
export async function checkCommitSignature(
  commit: Commit,
  opts: { key?: ParsedKey; resolver?: KeyResolver },
): Promise<Result<ParsedKey, ProofError>> {
  const { did } = commit
  if (opts.key !== undefined) {
    if (verifyCommitSignature(commit, opts.key)) return ok(opts.key)
    return proofError('BadSignature', `signature does not match the given key did=${did}`)
  }
  if (opts.resolver === undefined) return proofError('KeyNotFound', `no signing key or key resolver given did=${did}`)
  const first = await opts.resolver.resolveAtprotoKey(did)
  if (!first.ok) return proofError('KeyNotFound', `could not resolve the atproto key did=${did}`, first.error)
  if (verifyCommitSignature(commit, first.value)) return ok(first.value)
  const fresh = await opts.resolver.resolveAtprotoKey(did, { forceRefresh: true })
  if (!fresh.ok) {
    return proofError(
      'KeyNotFound',
      `signature failed and the atproto key could not be refreshed did=${did}`,
      fresh.error,
    )
  }
  if (!sameKey(fresh.value, first.value) && verifyCommitSignature(commit, fresh.value)) return ok(fresh.value)
  return proofError('BadSignature', `signature does not match the current atproto key of did=${did} (key rotated?)`)
}
