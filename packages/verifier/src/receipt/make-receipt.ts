import type { Purpose, Verdict } from '@donottrain/lexicon'
import type { CheckBasis, CheckedSubject, Evaluation } from '../check/types.js'
import { toBase64 } from '../tlog/bytes.js'
import { RECEIPT_VERSION, type Receipt } from './types.js'

/** The receipt of a proven answer: every proof it rests on, base64, and the indexer's statement. */
export function receiptFor(evaluation: Evaluation, purpose: Purpose, allowed: boolean): Receipt {
  return {
    version: RECEIPT_VERSION,
    subject: evaluation.subject,
    purpose,
    verdict: evaluation.verdict,
    allowed,
    basis: evaluation.basis,
    checkedAt: evaluation.checkedAt,
    ...(evaluation.indexer !== undefined ? { indexer: evaluation.indexer } : {}),
    proofs: [
      ...evaluation.declarations.map((d) => ({
        uri: d.uri,
        present: true,
        source: d.source,
        cid: d.cid,
        car: toBase64(d.proof),
      })),
      ...evaluation.absences.map((a) => ({ uri: a.uri, present: false, car: toBase64(a.proof) })),
    ],
    ...(evaluation.origins.length > 0 ? { origins: evaluation.origins } : {}),
    ...(evaluation.statement !== undefined ? { statement: evaluation.statement } : {}),
  }
}

/** The receipt of an answer that could not be proven: what was asked, when, and what the fail mode made of it. */
export function unprovenReceipt(
  subject: CheckedSubject,
  purpose: Purpose,
  basis: Extract<CheckBasis, 'fail-closed' | 'fail-open'>,
  checkedAt: string,
  verdict: Verdict,
): Receipt {
  return {
    version: RECEIPT_VERSION,
    subject,
    purpose,
    verdict,
    allowed: basis === 'fail-open',
    basis,
    checkedAt,
    proofs: [],
  }
}
