import { err, ok, PURPOSES, type Result, type ScopedDeclaration, splitRecordUri, verdictFor } from '@donottrain/lexicon'
import { verdictSubjectOf } from '../check/subject.js'
import { formatDidKey } from '../crypto/index.js'
import { declarationFromRecord, type RecordDeclaration } from '../declarations/index.js'
import type { CarLimits, KeyResolver } from '../proof/types.js'
import { verifyAbsence } from '../proof/verify-absence.js'
import { verifyRecordProof } from '../proof/verify-record.js'
import { fromBase64, toBase64 } from '../tlog/bytes.js'
import { openCheckpoint } from '../tlog/checkpoint.js'
import { ReceiptError } from './errors.js'
import { parseReceipt } from './parse-receipt.js'
import type { Receipt } from './types.js'

export interface VerifyReceiptOptions {
  /** Resolves each account's current atproto key (a DidResolver). */
  resolver: KeyResolver
  /**
   * Verifier keys (`<name>+<id>+<key>`) of indexers you trust. When given, a statement must be
   * signed by one of them (UntrustedStatementKey otherwise); when not, the statement only has to
   * verify with the key the receipt names, and the result says `trusted: false`.
   */
  trustedKeys?: readonly string[]
  /** CAR caps for each proof. */
  limits?: CarLimits
}

/** What a verified receipt establishes. */
export interface VerifiedReceipt {
  receipt: Receipt
  /** True when the verdict rests on proofs; false for a fail-closed / fail-open receipt. */
  proven: boolean
  declarations: Array<RecordDeclaration & { rev: string; time: string | undefined; signingKey: string }>
  absences: Array<{ uri: string; rev: string; time: string | undefined; signingKey: string }>
  statement?: { origin: string; size: number; rootHash: string; keyName: string; trusted: boolean }
  /** What the receipt says that cannot be re-checked offline (origin bindings checked live). */
  assumed: string[]
}

const fail = (code: ReceiptError['code'], message: string, options?: { cause?: unknown; proofCode?: string }) =>
  err(new ReceiptError(code, message, options))

/**
 * Re-verifies a receipt offline: every proof against its account's DID document (through
 * `resolver`), every present record re-read into the declaration it makes, the verdict
 * recomputed from those declarations with @donottrain/lexicon's verdictFor and compared, and the
 * indexer's signed statement, if any, checked. Proofs are judged by the account's current key:
 * a receipt made before a key rotation fails with ProofFailed (BadSignature).
 */
export async function verifyReceipt(
  input: string | unknown,
  opts: VerifyReceiptOptions,
): Promise<Result<VerifiedReceipt, ReceiptError>> {
  const parsed = parseReceipt(input)
  if (!parsed.ok) return parsed
  const receipt = parsed.value
  if (receipt.basis !== 'indexer' && receipt.basis !== 'pds') return verifyUnproven(receipt)
  const subject = verdictSubjectOf(receipt.subject)
  if (subject === undefined) {
    return fail('MalformedReceipt', `receipt subject is not resolved kind=${receipt.subject.kind}`)
  }

  const declarations: VerifiedReceipt['declarations'] = []
  const absences: VerifiedReceipt['absences'] = []
  const assumed: string[] = []
  for (const item of receipt.proofs) {
    const at = splitRecordUri(item.uri)
    const car = fromBase64(item.car)
    if (at === null || car === undefined)
      return fail('MalformedReceipt', `receipt proof has a bad uri or car uri=${item.uri}`)
    if (subject.kind !== 'web' && at.did !== subject.did) {
      return fail('DeclarationMismatch', `proof is of another account uri=${item.uri} subject=${subject.did}`)
    }
    const verifyOpts = { ...at, resolver: opts.resolver, ...(opts.limits ? { limits: opts.limits } : {}) }
    if (!item.present) {
      const absent = await verifyAbsence(car, verifyOpts)
      if (!absent.ok) return proofFailed(item.uri, absent.error)
      const { commit, signingKey } = absent.value
      absences.push({ uri: item.uri, rev: commit.rev, time: commit.time, signingKey: formatDidKey(signingKey) })
      continue
    }
    const record = await verifyRecordProof(car, verifyOpts)
    if (!record.ok) return proofFailed(item.uri, record.error)
    const { recordCid, commit, signingKey } = record.value
    if (item.cid !== undefined && item.cid !== recordCid) {
      return fail(
        'DeclarationMismatch',
        `proof is of another version uri=${item.uri} cid=${item.cid} proven=${recordCid}`,
      )
    }
    const made = declarationFromRecord(record.value.record, { ...at, cid: recordCid })
    if (!made.ok)
      return fail('DeclarationMismatch', `proven record makes no declaration: ${made.error.message}`, {
        cause: made.error,
      })
    if (item.source !== undefined && item.source !== made.value.source) {
      return fail(
        'DeclarationMismatch',
        `proven record is a ${made.value.source}, not a ${item.source} uri=${item.uri}`,
      )
    }
    const declaration = made.value
    if (declaration.scope.type === 'origin') {
      const { origin } = declaration.scope
      const bound = receipt.origins?.some((o) => o.origin === origin && o.did === declaration.did) === true
      declaration.scope = { ...declaration.scope, verified: bound }
      if (bound) assumed.push(`origin ${origin} belongs to ${declaration.did} (checked live at ${receipt.checkedAt})`)
    }
    declarations.push({ ...declaration, rev: commit.rev, time: commit.time, signingKey: formatDidKey(signingKey) })
  }

  const { verdict } = verdictFor<ScopedDeclaration>(subject, declarations)
  const differs = PURPOSES.filter((p) => receipt.verdict[p] !== verdict[p])
  if (differs.length > 0) {
    const shown = differs.map((p) => `${p}=${receipt.verdict[p]}/${verdict[p]}`).join(',')
    return fail('VerdictMismatch', `receipt verdict is not the one its proofs give (receipt/proven) ${shown}`)
  }
  const allowed = verdict[receipt.purpose] !== 'deny'
  if (receipt.allowed !== allowed) {
    return fail('VerdictMismatch', `receipt says allowed=${receipt.allowed} but its verdict gives allowed=${allowed}`)
  }

  let statement: VerifiedReceipt['statement']
  if (receipt.statement !== undefined) {
    const { note, key } = receipt.statement
    const opened = await openCheckpoint(note, key)
    if (!opened.ok) {
      return fail('StatementInvalid', `indexer statement does not verify: ${opened.error.message}`, {
        cause: opened.error,
      })
    }
    const trusted = opts.trustedKeys?.includes(key) === true
    if (opts.trustedKeys !== undefined && !trusted) {
      return fail('UntrustedStatementKey', `indexer statement is signed by an untrusted key key=${key.split('+')[0]}`)
    }
    const { checkpoint } = opened.value
    statement = {
      origin: checkpoint.origin,
      size: checkpoint.size,
      rootHash: toBase64(checkpoint.rootHash),
      keyName: key.split('+')[0] ?? '',
      trusted,
    }
  }
  return ok({ receipt, proven: true, declarations, absences, ...(statement ? { statement } : {}), assumed })
}

/** A fail-closed / fail-open receipt proves nothing: no proofs, every purpose unknown, allowed as the mode says. */
function verifyUnproven(receipt: Receipt): Result<VerifiedReceipt, ReceiptError> {
  if (receipt.proofs.length > 0 || receipt.statement !== undefined) {
    return fail('MalformedReceipt', `an unproven receipt carries proofs or a statement basis=${receipt.basis}`)
  }
  if (PURPOSES.some((p) => receipt.verdict[p] !== 'unknown')) {
    return fail('VerdictMismatch', `an unproven receipt must say unknown for every purpose basis=${receipt.basis}`)
  }
  if (receipt.allowed !== (receipt.basis === 'fail-open')) {
    return fail('VerdictMismatch', `receipt says allowed=${receipt.allowed} under basis=${receipt.basis}`)
  }
  return ok({ receipt, proven: false, declarations: [], absences: [], assumed: [] })
}

function proofFailed(uri: string, error: { code: string; message: string }) {
  return fail('ProofFailed', `proof of uri=${uri} fails (${error.code}): ${error.message}`, {
    cause: error,
    proofCode: error.code,
  })
}
