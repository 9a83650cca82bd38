export { RENDERING_TABLE, type Renderings, renderVerdict } from '@donottrain/lexicon'
export {
  type AccountResolver,
  type CheckBasis,
  CheckError,
  type CheckErrorCode,
  type CheckedDeclaration,
  type CheckedSubject,
  Checker,
  type CheckerOptions,
  type CheckerResolver,
  type CheckOptions,
  DEFAULT_CHECK_CACHE_SIZE,
  DEFAULT_CHECK_CACHE_TTL_MS,
  type DistrustCode,
  DistrustError,
  type Evaluation,
  type FailMode,
  IndexerError,
  type IndexerErrorCode,
  type IndexerStatement,
  MAX_CHECK_BATCH,
  type OriginBinding,
  type ProvenAbsence,
  type ProvenDeclaration,
  type ResolvedAccount,
  resolveAccount,
  type SubjectCheck,
  verifyOriginBinding,
} from './check/index.js'
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
export {
  DECLARATION_COLLECTIONS,
  DeclarationReadError,
  type DeclarationReadErrorCode,
  type DeclarationSource,
  declarationFromRecord,
  hasDonottrainTagInText,
  PREFERENCE_AI_MAPPING,
  postHasDonottrainTag,
  type RecordDeclaration,
  type RecordLocation,
  samePreferences,
  sameScope,
  scopeFromView,
  USER_INTENTS_MAPPING,
} from './declarations/index.js'
export { findAtprotoMethod, getAtprotoKey, getHandle, getPdsEndpoint } from './identity/atproto-fields.js'
export {
  DID_DOCUMENT_LIMITS,
  type DidDocument,
  type DidService,
  decodeDidDocument,
  parseDidDocument,
  type VerificationMethod,
} from './identity/did-document.js'
export {
  DEFAULT_DID_CACHE_SIZE,
  DEFAULT_DID_FAILURE_TTL_MS,
  DEFAULT_DID_TTL_MS,
  DEFAULT_PLC_URL,
  DidResolver,
  type DidResolverOptions,
  didDocumentUrl,
  type KeyResolver,
  type ResolveOptions,
} from './identity/did-resolver.js'
export {
  type FetchFailedCode,
  FetchFailedError,
  FetchTimeoutError,
  HttpStatusError,
  ResponseTooLargeError,
  redactUrl,
  type SafeFetchError,
  type SsrfBlockedCode,
  SsrfBlockedError,
} from './identity/fetch-errors.js'
export { GuardedFetch } from './identity/guarded-fetch.js'
export type { HostResolver, ResolvedAddress } from './identity/guarded-lookup.js'
export {
  checkHandle,
  DEFAULT_DNS_TIMEOUT_MS,
  didFromTxt,
  type HandleErrorCode,
  HandleResolveError,
  HandleResolver,
  type HandleResolverOptions,
  type TxtResolver,
  type VerifiedHandle,
  type VerifyHandleDeps,
  verifyHandle,
} from './identity/handle-resolver.js'
export {
  type AddressClass,
  type AddressKind,
  type AddressPolicy,
  classifyAddress,
  isAllowedAddress,
} from './identity/ip-range.js'
export { ResolveError, type ResolveErrorCode } from './identity/resolve-error.js'
export {
  checkFetchUrl,
  DEFAULT_FETCH_TIMEOUT_MS,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_MAX_RESPONSE_BYTES,
  type SafeFetch,
  SafeFetcher,
  type SafeFetchInit,
  type SafeFetchOptions,
  type SafeResponse,
} from './identity/ssrf.js'
export {
  LogClient,
  MAX_MONITOR_RESPONSE_BYTES,
  MAX_MONITOR_STATE_BYTES,
  MonitorError,
  type MonitorErrorCode,
  type MonitorOptions,
  type MonitorReport,
  type MonitorState,
  MonitorViolation,
  parseMonitorState,
  runMonitor,
  type ViolationCode,
  type XrpcAnswer,
} from './monitor/index.js'
export { type BuiltMst, buildMst } from './mst/build.js'
export {
  blockMatchesCid,
  CID_LENGTH,
  CODEC_DAG_CBOR,
  CODEC_RAW,
  cidEquals,
  cidForDagCbor,
  cidFromString,
  cidToString,
  isCidBytes,
  sha256,
} from './mst/cid.js'
export { MstError, type MstErrorCode } from './mst/errors.js'
export { invertOps, type MstOp } from './mst/invert.js'
export { commonPrefixLength, formatMstKey, isValidMstKey, keyHeight, MAX_MST_KEY_LENGTH } from './mst/key.js'
export { lookup, type MstPath, provePath, walkPath } from './mst/lookup.js'
export { decodeNode, encodeNode } from './mst/node-codec.js'
export type { BlockMap, MstEntry, MstNode } from './mst/types.js'
export {
  createNetwork,
  fetchTrustingOrigins,
  MAX_PROOF_BYTES,
  type NetworkOptions,
  PdsClient,
  PdsError,
  type PdsErrorCode,
  pdsEndpoint,
  type RecordRef,
  type VerifierNetwork,
} from './pds/index.js'
export { buildProofCar } from './proof/build-proof.js'
export { DEFAULT_CAR_LIMITS, readCar } from './proof/car-reader.js'
export { writeCar } from './proof/car-writer.js'
export { checkCommitSignature } from './proof/check-signature.js'
export { decodeCommit, unsignedCommitBytes, verifyCommitSignature } from './proof/commit.js'
export { ProofError as RecordProofError, type ProofErrorCode as RecordProofErrorCode } from './proof/errors.js'
export { recordInCar } from './proof/record-in-car.js'
export { tidTime } from './proof/tid.js'
export type {
  AbsenceProof,
  Car,
  CarLimits,
  Commit,
  RecordProof,
  VerifiedCommit as VerifiedRepoCommit,
  VerifyProofOptions,
} from './proof/types.js'
export { verifyAbsence } from './proof/verify-absence.js'
export { type KeyProof, verifyKeyProof, verifyRecordProof } from './proof/verify-record.js'
export {
  MAX_RECEIPT_PROOFS,
  parseReceipt,
  RECEIPT_VERSION,
  type Receipt,
  ReceiptError,
  type ReceiptErrorCode,
  type ReceiptProof,
  receiptFor,
  unprovenReceipt,
  type VerifiedReceipt,
  type VerifyReceiptOptions,
  verifyReceipt,
} from './receipt/index.js'
export {
  encodeSnapshot,
  formatManifest,
  type LoadedSnapshot,
  type LoadSnapshotOptions,
  loadSnapshot,
  MAX_MANIFEST_BYTES,
  manifestPathOf,
  openManifest,
  parseManifest,
  SNAPSHOT_DEFAULTS,
  SNAPSHOT_FORMAT,
  SNAPSHOT_MANIFEST_HEADER,
  type SnapshotCheck,
  SnapshotChecker,
  type SnapshotCheckOptions,
  SnapshotData,
  type SnapshotDeclaration,
  SnapshotEncoder,
  SnapshotError,
  type SnapshotErrorCode,
  type SnapshotLimits,
  type SnapshotManifest,
  type SnapshotSource,
  signManifest,
} from './snapshot/index.js'
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
export {
  decodeLeaf,
  encodeLeaf,
  LeafError,
  type LeafFields,
  leafFields,
  MAX_LEAF_BYTES,
} from './tlog/leaf.js'
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
// For stores that hold the tree their own way (the indexer's in-memory proof tree).
export { inclusionRanges, type LeafRange, planRanges } from './tlog/tree-plan.js'
