/**
 * GENERATED CODE - DO NOT MODIFY
 */
import { type ValidationResult, BlobRef } from '@atproto/lexicon'
import { validate as _validate } from '../../../../lexicons.js'
import {
  type $Typed,
  is$typed as _is$typed,
  type OmitKey,
} from '../../../../util.js'

const is$typed = _is$typed,
  validate = _validate
const id = 'ai.donottrain.log.defs'

/** A signed checkpoint of the log. */
export interface CheckpointView {
  $type?: 'ai.donottrain.log.defs#checkpointView'
  /** The log's origin line (its unique name). */
  origin: string
  /** Number of leaves the checkpoint covers. */
  size: number
  /** RFC 9162 root hash, base64. */
  rootHash: string
  /** The whole C2SP signed note: checkpoint text, blank line, Ed25519 signature line(s). */
  note: string
  /** The C2SP note verifier key (name+keyid+base64(0x01 || ed25519 public key)); the same key as the indexer's did:web Multikey. */
  verifierKey: string
  createdAt: string
}

const hashCheckpointView = 'checkpointView'

export function isCheckpointView<V>(v: V) {
  return is$typed(v, id, hashCheckpointView)
}

export function validateCheckpointView<V>(v: V) {
  return validate<CheckpointView & V>(v, id, hashCheckpointView)
}

/** One leaf of the log: a change, as canonical DAG-CBOR {seq, did, collection, rkey, cid, rev, kind, indexedAt} (absent values are null). */
export interface Entry {
  $type?: 'ai.donottrain.log.defs#entry'
  index: number
  /** The leaf bytes (the DAG-CBOR), base64. */
  leaf: string
  /** SHA-256(0x00 || leaf), base64. */
  leafHash: string
  /** The change's seq in the declarations feed. */
  seq: number
  did: string
  collection?: string
  rkey?: string
  cid?: string
  rev?: string
  kind:
    | 'create'
    | 'update'
    | 'delete'
    | 'hide'
    | 'restore'
    | 'purge'
    | (string & {})
  indexedAt: string
}

const hashEntry = 'entry'

export function isEntry<V>(v: V) {
  return is$typed(v, id, hashEntry)
}

export function validateEntry<V>(v: V) {
  return validate<Entry & V>(v, id, hashEntry)
}

/** An RFC 9162 inclusion proof of one leaf in the tree of treeSize leaves. */
export interface InclusionProof {
  $type?: 'ai.donottrain.log.defs#inclusionProof'
  leafIndex: number
  treeSize: number
  leafHash: string
  hashes: string[]
}

const hashInclusionProof = 'inclusionProof'

export function isInclusionProof<V>(v: V) {
  return is$typed(v, id, hashInclusionProof)
}

export function validateInclusionProof<V>(v: V) {
  return validate<InclusionProof & V>(v, id, hashInclusionProof)
}
