import { verifyProofs } from '@atproto/repo'
import { parseDidKey, verifyRecordProof } from '@donottrain/verifier'
import type { ProofCase } from './proofs.js'

/** @donottrain/verifier: true when the proof verifies and proves the claimed CID. */
export async function ours(p: ProofCase): Promise<boolean> {
  // The did:key is parsed per proof, as verifyProofs parses its didKey argument per call.
  const key = parseDidKey(p.didKey)
  if (!key.ok) return false
  const res = await verifyRecordProof(p.car, { did: p.did, collection: p.collection, rkey: p.rkey, key: key.value })
  return res.ok && res.value.recordCid === p.cidStr
}

/** @atproto/repo: true when verifyProofs verifies the one claim. */
export async function reference(p: ProofCase): Promise<boolean> {
  const res = await verifyProofs(p.car, [{ collection: p.collection, rkey: p.rkey, cid: p.cid }], p.did, p.didKey)
  return res.verified.length === 1 && res.unverified.length === 0
}
