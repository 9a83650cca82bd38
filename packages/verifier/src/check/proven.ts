import { formatDidKey } from '../crypto/index.js'
import type { RecordDeclaration } from '../declarations/index.js'
import type { AbsenceProof, RecordProof } from '../proof/types.js'
import type { ProofOrigin, ProvenAbsence, ProvenDeclaration } from './types.js'

const originOf = (proof: RecordProof | AbsenceProof, car: Uint8Array): ProofOrigin => ({
  rev: proof.commit.rev,
  commit: proof.commit.cid,
  time: proof.commit.time,
  signingKey: formatDidKey(proof.signingKey),
  proof: car,
})

export const provenDeclaration = (
  declaration: RecordDeclaration,
  proof: RecordProof,
  car: Uint8Array,
): ProvenDeclaration => ({ ...declaration, ...originOf(proof, car) })

export const provenAbsence = (proof: AbsenceProof, car: Uint8Array): ProvenAbsence => ({
  uri: proof.uri,
  ...originOf(proof, car),
})
