import type * as DeclarationLex from './generated/types/ai/donottrain/declaration.js'
import { validateRecord } from './generated/types/ai/donottrain/declaration.js'
import { ids } from './nsid.js'
import { parseOrigin } from './origin.js'
import { err, ok, type Result } from './result.js'
import { isValidDatetime, isValidDid, isValidNsid, isValidRecordKey } from './syntax.js'
import type { Preferences, Scope } from './verdict.js'

export type DeclarationRecord = DeclarationLex.Record

/** The record key of the account-wide declaration. */
export const ACCOUNT_RKEY = 'self'

/** The `$type` of each scope of the declaration record. */
export const SCOPE_TYPES = {
  account: `${ids.AiDonottrainDeclaration}#accountScope`,
  record: `${ids.AiDonottrainDeclaration}#recordScope`,
  collection: `${ids.AiDonottrainDeclaration}#collectionScope`,
  origin: `${ids.AiDonottrainDeclaration}#originScope`,
} as const

/** Builders for the scope union, typed so a record literal type-checks without casts. */
export const scopes = {
  account: () => ({ $type: SCOPE_TYPES.account }),
  record: (subject: { uri: string; cid: string }) => ({ $type: SCOPE_TYPES.record, subject }),
  collection: (collection: string) => ({ $type: SCOPE_TYPES.collection, collection }),
  origin: (origin: string) => ({ $type: SCOPE_TYPES.origin, origin }),
}

export type DeclarationErrorCode =
  | 'InvalidRecord' // fails the lexicon
  | 'UnknownScope' // valid per the open union, but a scope type this reader does not know
  | 'ScopeKeyMismatch' // account scope not at rkey 'self', or another scope at 'self'
  | 'InvalidSubject' // record scope whose subject is not a record at-uri with a DID authority
  | 'ForeignSubject' // record scope naming another account's record
  | 'InvalidOrigin' // origin scope that is not a canonical https origin
  | 'InvalidLicenseUri' // licenseUri that is not https or mailto

export class InvalidDeclarationError extends Error {
  override name = 'InvalidDeclarationError'
  constructor(
    readonly code: DeclarationErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** A declaration record that passed every check, with its scope normalised. */
export interface ValidDeclaration {
  record: DeclarationRecord
  scope: Scope
  preferences: Preferences
}

export interface DeclarationContext {
  /** The repository the record lives in; record-scope subjects must be in the same repository. */
  did?: string
  /** The record key; account scope must be at 'self' and only there. */
  rkey?: string
}

/**
 * Validates an `ai.donottrain.declaration` record against the lexicon and the protocol rules
 * the lexicon cannot express (rkey/scope pairing, own-repo subjects, canonical https origins).
 * Origin scopes come back unverified: verification needs the network and is the caller's job.
 */
export function validateDeclaration(
  value: unknown,
  ctx: DeclarationContext = {},
): Result<ValidDeclaration, InvalidDeclarationError> {
  const lex = validateRecord(value)
  if (!lex.success) {
    return err(
      new InvalidDeclarationError('InvalidRecord', `invalid declaration: ${lex.error.message}`, { cause: lex.error }),
    )
  }
  const record = lex.value as DeclarationRecord
  // @atproto/lexicon 0.6 accepts arrays as objects and is lenient on datetimes; the protocol
  // is not (the interop vectors spell out the strict datetime syntax).
  if (!isPlainObject(record.preferences))
    return fail('InvalidRecord', 'invalid declaration: preferences must be an object')
  if (!isValidDatetime(record.createdAt)) {
    return fail(
      'InvalidRecord',
      `invalid declaration: createdAt must be an atproto datetime createdAt=${record.createdAt}`,
    )
  }
  const scope = readScope(record, ctx)
  if (!scope.ok) return scope
  if (ctx.rkey !== undefined && (ctx.rkey === ACCOUNT_RKEY) !== (scope.value.type === 'account')) {
    return fail(
      'ScopeKeyMismatch',
      `account scope belongs at rkey self and only there rkey=${ctx.rkey} scope=${scope.value.type}`,
    )
  }
  if (record.licenseUri !== undefined && !/^(https:\/\/|mailto:)/i.test(record.licenseUri)) {
    return fail('InvalidLicenseUri', `licenseUri must be an https or mailto uri licenseUri=${record.licenseUri}`)
  }
  return ok({ record, scope: scope.value, preferences: record.preferences as Preferences })
}

function readScope(record: DeclarationRecord, ctx: DeclarationContext): Result<Scope, InvalidDeclarationError> {
  const scope = record.scope as { $type: string; [k: string]: unknown }
  switch (scope.$type) {
    case SCOPE_TYPES.account:
      return ok({ type: 'account' })
    case SCOPE_TYPES.collection: {
      const collection = scope.collection as string
      return isValidNsid(collection)
        ? ok({ type: 'collection', collection })
        : fail('InvalidRecord', 'invalid collection nsid')
    }
    case SCOPE_TYPES.record: {
      const subject = scope.subject as { uri: string; cid: string }
      const parts = splitRecordUri(subject.uri)
      if (!parts)
        return fail('InvalidSubject', `record scope subject must be at://<did>/<collection>/<rkey> uri=${subject.uri}`)
      if (ctx.did !== undefined && parts.did !== ctx.did) {
        return fail(
          'ForeignSubject',
          `record scope subject is in another repository uri=${subject.uri} repo=${ctx.did}`,
        )
      }
      return ok({ type: 'record', uri: subject.uri, cid: subject.cid })
    }
    case SCOPE_TYPES.origin: {
      const parsed = parseOrigin(scope.origin as string)
      if (!parsed.ok)
        return err(new InvalidDeclarationError('InvalidOrigin', parsed.error.message, { cause: parsed.error }))
      return ok({ type: 'origin', origin: parsed.value.origin, verified: false })
    }
    default:
      return fail('UnknownScope', `unknown scope type=${scope.$type}`)
  }
}

/** Splits a record at-uri whose authority is a DID; null for anything else. */
export function splitRecordUri(uri: string): { did: string; collection: string; rkey: string } | null {
  if (!uri.startsWith('at://')) return null
  const parts = uri.slice('at://'.length).split('/')
  if (parts.length !== 3) return null
  const [did = '', collection = '', rkey = ''] = parts
  if (!isValidDid(did) || !isValidNsid(collection) || !isValidRecordKey(rkey)) return null
  return { did, collection, rkey }
}

function fail(code: DeclarationErrorCode, message: string): { ok: false; error: InvalidDeclarationError } {
  return err(new InvalidDeclarationError(code, message))
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v)
}
