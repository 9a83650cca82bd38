export { buildProofCar } from './build-proof.js'
export { DEFAULT_CAR_LIMITS, readCar } from './car-reader.js'
export { writeCar } from './car-writer.js'
export { checkCommitSignature } from './check-signature.js'
export { decodeCommit, unsignedCommitBytes, verifyCommitSignature } from './commit.js'
export { ProofError, type ProofErrorCode } from './errors.js'
export { recordInCar } from './record-in-car.js'
export { tidTime } from './tid.js'
export type {
  AbsenceProof,
  Car,
  CarLimits,
  Commit,
  KeyResolver,
  RecordProof,
  VerifiedCommit,
  VerifyProofOptions,
} from './types.js'
export { verifyAbsence } from './verify-absence.js'
export { type KeyProof, verifyKeyProof, verifyRecordProof } from './verify-record.js'
