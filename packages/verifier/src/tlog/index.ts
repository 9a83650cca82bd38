export { bytesEqual, fromBase64, fromHex, toBase64, toHex } from './bytes.js'
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
} from './checkpoint.js'
export {
  type HashReader,
  type NodeId,
  type StoredNode,
  type TreeRangeCode,
  TreeRangeError,
  TreeStorageError,
} from './hash-reader.js'
export { MemoryTree } from './memory-tree.js'
export { emptyRoot, HASH_SIZE, leafHash, nodeHash, rootFromLeafHashes } from './merkle.js'
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
} from './note.js'
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
} from './note-key.js'
export { appendNodes, consistencyProof, inclusionProof, rootAt } from './proof-build.js'
export {
  formatTlogProof,
  parseTlogProof,
  TLOG_PROOF_HEADER,
  type TlogProof,
  TlogProofError,
  type TlogProofFailure,
  type VerifiedTlogProof,
  verifyTlogProof,
} from './proof-text.js'
export { ProofError, type ProofErrorCode, verifyConsistency, verifyInclusion } from './proof-verify.js'
export { type Check, type Result, TlogError } from './result.js'
// For stores that hold the tree their own way (the indexer's in-memory proof tree).
export { inclusionRanges, type LeafRange, planRanges } from './tree-plan.js'
