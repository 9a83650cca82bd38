import { err, isPurpose, isValidDatetime, ok, PURPOSES, type Result } from '@donottrain/lexicon'
import type { CheckBasis } from '../check/types.js'
import { DECLARATION_COLLECTIONS } from '../declarations/index.js'
import { ReceiptError } from './errors.js'
import { RECEIPT_VERSION, type Receipt } from './types.js'

/** Most proofs one receipt may carry (an account's declarations, plus absences). */
export const MAX_RECEIPT_PROOFS = 2000

const KINDS = new Set(['account', 'collection', 'record', 'blob', 'web'])
const BASES = new Set<CheckBasis>(['indexer', 'pds', 'fail-closed', 'fail-open'])
const VERDICT_VALUES = new Set(['allow', 'deny', 'unknown'])
const SOURCES = new Set(Object.values(DECLARATION_COLLECTIONS))
const SUBJECT_FIELDS = ['did', 'handle', 'collection', 'rkey', 'uri', 'origin'] as const

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const isString = (value: unknown): value is string => typeof value === 'string'
const optionalString = (value: unknown) => value === undefined || isString(value)

/** Reads a receipt (JSON text or a parsed value), checking its shape strictly; MalformedReceipt otherwise. */
export function parseReceipt(input: string | unknown): Result<Receipt, ReceiptError> {
  let value: unknown = input
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input)
    } catch (cause) {
      return malformed('receipt is not json', cause)
    }
  }
  if (!isObject(value)) return malformed('receipt is not an object')
  if (value.version !== RECEIPT_VERSION)
    return malformed(`unsupported receipt version version=${String(value.version)}`)
  const { subject, purpose, verdict, allowed, basis, checkedAt, indexer, proofs, origins, statement } = value
  if (!isObject(subject) || !isString(subject.input) || !KINDS.has(subject.kind as string)) {
    return malformed('receipt subject must have input and kind')
  }
  if (!SUBJECT_FIELDS.every((field) => optionalString(subject[field])))
    return malformed('receipt subject fields must be strings')
  if (!isString(purpose) || !isPurpose(purpose)) return malformed(`unknown purpose purpose=${String(purpose)}`)
  if (!isObject(verdict) || !PURPOSES.every((p) => VERDICT_VALUES.has(verdict[p] as string))) {
    return malformed('receipt verdict must be allow, deny or unknown for every purpose')
  }
  if (typeof allowed !== 'boolean') return malformed('receipt allowed must be a boolean')
  if (!BASES.has(basis as CheckBasis)) return malformed(`unknown basis basis=${String(basis)}`)
  if (!isString(checkedAt) || !isValidDatetime(checkedAt)) return malformed('receipt checkedAt must be a datetime')
  if (!optionalString(indexer)) return malformed('receipt indexer must be a string')
  if (!Array.isArray(proofs) || proofs.length > MAX_RECEIPT_PROOFS) return malformed('receipt proofs must be an array')
  for (const proof of proofs) {
    if (!isObject(proof) || !isString(proof.uri) || typeof proof.present !== 'boolean' || !isString(proof.car)) {
      return malformed('each receipt proof needs uri, present and car')
    }
    if (!optionalString(proof.cid) || (proof.source !== undefined && !SOURCES.has(proof.source as never))) {
      return malformed(`receipt proof has an invalid cid or source uri=${proof.uri}`)
    }
  }
  if (origins !== undefined) {
    const valid =
      Array.isArray(origins) &&
      origins.every(
        (o) => isObject(o) && isString(o.origin) && isString(o.did) && (o.via === 'handle' || o.via === 'well-known'),
      )
    if (!valid) return malformed('receipt origins must be { origin, did, via } entries')
  }
  if (statement !== undefined && !(isObject(statement) && isString(statement.note) && isString(statement.key))) {
    return malformed('receipt statement must be { note, key }')
  }
  return ok(value as unknown as Receipt)
}

function malformed(message: string, cause?: unknown) {
  return err(new ReceiptError('MalformedReceipt', message, cause === undefined ? undefined : { cause }))
}
