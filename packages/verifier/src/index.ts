export {
  DID_KEY_PREFIX,
  type DidKeyErrorCode,
  formatDidKey,
  formatMultikey,
  hasNativeSecp256k1,
  InvalidDidKeyError,
  type KeyType,
  type ParsedKey,
  parseDidKey,
  type VerifyImpl,
  type VerifyOptions,
  verifyDidKeySignature,
  verifySignature,
} from './crypto/index.js'
export { bytesEqual, fromBase64, fromHex, toBase64, toHex } from './tlog/bytes.js'
export {
  type Checkpoint,
  CheckpointError,
  type CheckpointErrorCode,
  formatCheckpoint,
  type OpenCheckpointOptions,
  type OpenedCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
} from './tlog/checkpoint.js'
export {
  type HashReader,
  type NodeId,
  type StoredNode,
  type TreeRangeCode,
  TreeRangeError,
  TreeStorageError,
} from './tlog/hash-reader.js'
export { MemoryTree } from './tlog/memory-tree.js'
export { emptyRoot, HASH_SIZE, leafHash, nodeHash, rootFromLeafHashes } from './tlog/merkle.js'
export {
  formatNote,
  MAX_NOTE_SIGNATURES,
  type Note,
  NoteError,
  type NoteErrorCode,
  type NoteOptions,
  type NoteSignature,
  noteTextProblem,
  type OpenedNote,
  openNote,
  parseNote,
  signNote,
} from './tlog/note.js'
export {
  type Ed25519NoteSigner,
  type Ed25519NoteVerifier,
  ed25519Signer,
  ed25519Verifier,
  formatSignerKey,
  formatVerifierKey,
  generateNoteKey,
  isValidKeyName,
  NoteKeyError,
  type NoteKeyErrorCode,
  type NoteSigner,
  type NoteVerifier,
  noteKeyId,
  parseSignerKey,
  parseVerifierKey,
  SIG_TYPE_ED25519,
} from './tlog/note-key.js'
export { appendNodes, consistencyProof, inclusionProof, rootAt } from './tlog/proof-build.js'
export {
  formatTlogProof,
  parseTlogProof,
  TLOG_PROOF_HEADER,
  type TlogProof,
  TlogProofError,
  type TlogProofFailure,
  type VerifiedTlogProof,
  verifyTlogProof,
} from './tlog/proof-text.js'
export {
  ProofError as MerkleProofError,
  type ProofErrorCode as MerkleProofErrorCode,
  verifyConsistency,
  verifyInclusion,
} from './tlog/proof-verify.js'
export { type Check, TlogError } from './tlog/result.js'
