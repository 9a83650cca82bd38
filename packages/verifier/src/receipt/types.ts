import type { Purpose, Verdict } from '@donottrain/lexicon'
import type { CheckBasis, CheckedSubject, IndexerStatement, OriginBinding } from '../check/types.js'
import type { DeclarationSource } from '../declarations/index.js'

export const RECEIPT_VERSION = 1

/** One proof a receipt carries: a `com.atproto.sync.getRecord`-style CAR, base64. */
export interface ReceiptProof {
  uri: string
  /** true: the record exists and makes a declaration that applies; false: the key is proven empty. */
  present: boolean
  /** For a present record: the kind of declaration it makes, and its CID. */
  source?: DeclarationSource
  cid?: string
  /** The CAR, base64 (RFC 4648, padded). */
  car: string
}

/**
 * Evidence of one check, as JSON: what was asked, the answer, when, and everything needed to
 * re-derive the answer offline — the proofs (checked against the accounts' DID documents) and,
 * when the indexer gave one, its signed statement.
 */
export interface Receipt {
  version: typeof RECEIPT_VERSION
  subject: CheckedSubject
  purpose: Purpose
  verdict: Verdict
  allowed: boolean
  basis: CheckBasis
  checkedAt: string
  indexer?: string
  proofs: ReceiptProof[]
  /** Origin bindings the checker verified live; a receipt cannot prove them offline. */
  origins?: OriginBinding[]
  statement?: IndexerStatement
}
