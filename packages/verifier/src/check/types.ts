import type { Purpose, Verdict, VerdictSubject, VerdictValue } from '@donottrain/lexicon'
import type { RecordDeclaration } from '../declarations/index.js'
import type { DidDocument } from '../identity/did-document.js'
import type { Receipt } from '../receipt/types.js'

/** What a checker does when it cannot prove an answer (indexer and PDS unreachable): deny or allow. */
export type FailMode = 'closed' | 'open'

/** Where an answer came from: proven from the indexer's proofs or the account's PDS, or the fail mode. */
export type CheckBasis = 'indexer' | 'pds' | 'fail-closed' | 'fail-open'

/** A subject as the checker understood and resolved it. */
export interface CheckedSubject {
  input: string
  kind: 'account' | 'collection' | 'record' | 'blob' | 'web'
  did?: string
  /** When the subject named the account by handle, and the DID document confirmed it. */
  handle?: string
  collection?: string
  rkey?: string
  uri?: string
  origin?: string
}

/** A subject resolved locally: what the verdict is computed for. */
export interface LocalSubject {
  subject: CheckedSubject
  verdictSubject: VerdictSubject
  document?: DidDocument
}

/** Who signed a proof, and in which commit. */
export interface ProofOrigin {
  /** The commit's rev, its CID and the time the rev encodes. */
  rev: string
  commit: string
  time: string | undefined
  /** The did:key that verified the commit signature. */
  signingKey: string
  /** The proof CAR. */
  proof: Uint8Array
}

/** A declaration whose record was proven. */
export type ProvenDeclaration = RecordDeclaration & ProofOrigin

/** A record key proven empty (e.g. no account-wide declaration at rev R). */
export type ProvenAbsence = { uri: string } & ProofOrigin

/** How an origin scope's binding to its account was checked, live at check time. */
export interface OriginBinding {
  origin: string
  did: string
  /** 'handle': the origin's host is the account's verified handle; 'well-known': it serves the DID. */
  via: 'handle' | 'well-known'
}

/** The indexer's signed statement: a signed note (a tlog checkpoint) and the verifier key it verified with. */
export interface IndexerStatement {
  note: string
  key: string
}

/** A proven answer for one subject, for every purpose. */
export interface Evaluation {
  subject: CheckedSubject
  basis: 'indexer' | 'pds'
  verdict: Verdict
  /** The proven declarations that apply to the subject. */
  declarations: ProvenDeclaration[]
  /** Keys proven empty on the way (PDS answers: the account-wide declaration, the profile…). */
  absences: ProvenAbsence[]
  origins: OriginBinding[]
  checkedAt: string
  indexer?: string
  statement?: IndexerStatement
  /** True when the account has more declaration records than were read. */
  truncated: boolean
}

/** A declaration as a check result lists it (the proof stays in the receipt). */
export type CheckedDeclaration = Omit<ProvenDeclaration, 'proof'>

/** The answer for one subject and purpose. */
export interface SubjectCheck {
  input: string
  subject?: CheckedSubject
  purpose: Purpose
  /** The verdict for the purpose; 'unknown' when nothing could be proven (basis fail-closed / fail-open). */
  verdict: VerdictValue
  /** The verdict for every purpose. */
  verdicts: Verdict
  /** Whether the subject may be used for the purpose: not denied, and not unproven under fail-closed. */
  allowed: boolean
  basis: CheckBasis
  /** Served from the verdict cache. */
  cached: boolean
  checkedAt: string
  declarations: CheckedDeclaration[]
  /** Why the indexer was not asked or not believed, and why the PDS could not answer. */
  notes: string[]
  /** Present when the check was asked for receipts. */
  receipt?: Receipt
}
