import { type AiDonottrainDefs, err, ok, PURPOSES, type Result, splitRecordUri, verdictFor } from '@donottrain/lexicon'
import {
  declarationFromRecord,
  type RecordDeclaration,
  samePreferences,
  sameScope,
  scopeFromView,
} from '../declarations/index.js'
import type { KeyResolver } from '../proof/types.js'
import { verifyRecordProof } from '../proof/verify-record.js'
import type { IndexerError } from './indexer-client.js'
import { mapLimit } from './limit.js'
import { provenDeclaration } from './proven.js'
import type { Evaluation, LocalSubject, OriginBinding, ProvenDeclaration } from './types.js'

export type DistrustCode =
  | 'SubjectMismatch' // the indexer answered about another account, collection, record or origin
  | 'ProofUnavailable' // getProof failed for a declaration the answer rests on
  | 'ProofInvalid' // a proof does not verify, or proves another version than the one named
  | 'DeclarationMismatch' // the proven record does not make the declaration the indexer describes
  | 'VerdictMismatch' // the verdict recomputed from the proven declarations is not the indexer's

/** Why an indexer's answer is not believed (the checker then asks the account's PDS). */
export class DistrustError extends Error {
  override name = 'DistrustError'
  constructor(
    readonly code: DistrustCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

export interface VerifyStatusDeps {
  getProof(uri: string): Promise<Result<Uint8Array, IndexerError>>
  resolver: KeyResolver
  verifyOrigin(origin: string, did: string): Promise<OriginBinding | undefined>
  concurrency: number
}

type Verified = Omit<Evaluation, 'checkedAt' | 'indexer' | 'statement'>

const distrust = (code: DistrustCode, message: string, cause?: unknown) =>
  err(new DistrustError(code, message, cause === undefined ? undefined : { cause }))

/**
 * Believes an indexer's status of a subject only as far as it can be proven: the subject must be
 * the one resolved here; every declaration must come with a proof that verifies against its
 * account's DID document, of the record version named, and making exactly the declaration
 * described; an origin binding is re-checked live; and the verdict recomputed from the proven
 * declarations by @donottrain/lexicon's rule must be the indexer's.
 */
export async function verifyStatus(
  status: AiDonottrainDefs.StatusView,
  local: LocalSubject,
  deps: VerifyStatusDeps,
): Promise<Result<Verified, DistrustError>> {
  const mismatch = subjectMismatch(status.subject, local)
  if (mismatch !== undefined) return distrust('SubjectMismatch', `indexer answered about another subject ${mismatch}`)
  const origins: OriginBinding[] = []
  const proven = await mapLimit(status.declarations, deps.concurrency, (view) => proveDeclaration(view, deps, origins))
  const declarations: ProvenDeclaration[] = []
  for (const result of proven) {
    if (!result.ok) return result
    declarations.push(result.value)
  }
  const { verdict, applied } = verdictFor(local.verdictSubject, declarations)
  const differs = PURPOSES.filter((purpose) => status.verdict[purpose] !== verdict[purpose])
  if (differs.length > 0) {
    const shown = differs.map((p) => `${p}=${status.verdict[p]}/${verdict[p]}`).join(',')
    return distrust('VerdictMismatch', `indexer verdict differs from the proven one (claimed/proven) ${shown}`)
  }
  return ok({
    subject: local.subject,
    basis: 'indexer',
    verdict,
    declarations: applied,
    absences: [],
    origins,
    truncated: false,
  })
}

function subjectMismatch(view: AiDonottrainDefs.SubjectView, local: LocalSubject): string | undefined {
  const mine = local.subject
  const fields = ['kind', 'did', 'collection', 'uri', 'origin'] as const
  for (const field of fields) {
    if (mine[field] !== undefined && view[field] !== mine[field]) {
      return `field=${field} expected=${mine[field]} answered=${view[field] ?? 'none'}`
    }
  }
  return undefined
}

async function proveDeclaration(
  view: AiDonottrainDefs.DeclarationView,
  deps: VerifyStatusDeps,
  origins: OriginBinding[],
): Promise<Result<ProvenDeclaration, DistrustError>> {
  const at = splitRecordUri(view.uri)
  if (at === null || at.did !== view.did) {
    return distrust('DeclarationMismatch', `declaration uri is not a record of its did uri=${view.uri} did=${view.did}`)
  }
  const car = await deps.getProof(view.uri)
  if (!car.ok) return distrust('ProofUnavailable', `no proof for uri=${view.uri}: ${car.error.message}`, car.error)
  const proof = await verifyRecordProof(car.value, { ...at, resolver: deps.resolver })
  if (!proof.ok) return distrust('ProofInvalid', `proof of uri=${view.uri} fails: ${proof.error.message}`, proof.error)
  if (proof.value.recordCid !== view.cid) {
    return distrust(
      'ProofInvalid',
      `proof is of another version uri=${view.uri} cid=${view.cid} proven=${proof.value.recordCid}`,
    )
  }
  const made = declarationFromRecord(proof.value.record, { ...at, cid: proof.value.recordCid })
  if (!made.ok)
    return distrust('DeclarationMismatch', `proven record makes no declaration: ${made.error.message}`, made.error)
  const claimed = scopeFromView(view)
  const declaration: RecordDeclaration = made.value
  if (
    declaration.source !== view.source ||
    claimed === undefined ||
    !sameScope(declaration.scope, claimed) ||
    !samePreferences(declaration.preferences, view.preferences)
  ) {
    return distrust('DeclarationMismatch', `proven record makes another declaration than described uri=${view.uri}`)
  }
  if (declaration.scope.type === 'origin' && claimed.type === 'origin' && claimed.verified) {
    const binding = await deps.verifyOrigin(declaration.scope.origin, declaration.did)
    if (binding !== undefined) {
      origins.push(binding)
      declaration.scope = { ...declaration.scope, verified: true }
    }
  }
  return ok(provenDeclaration(declaration, proof.value, car.value))
}
