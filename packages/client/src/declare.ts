import {
  ACCOUNT_RKEY,
  type DeclarationErrorCode,
  type DeclarationRecord,
  ids,
  type Scope,
  validateDeclaration,
} from '@donottrain/lexicon'
import type { SessionContext } from './context.js'
import {
  type DonottrainClientError,
  ForeignRecordError,
  InvalidInputError,
  InvalidOriginError,
  SwapConflictError,
} from './errors.js'
import { type DeclarationEntry, listDeclarations, scopeKey, type ValidDeclarationEntry } from './list.js'
import type { OriginBinding } from './origin.js'
import { DEFAULT_PREFERENCES, normalizePreferences, type PreferencesInput, samePreferences } from './preferences.js'
import { resolveScopeForDeclare, type ScopeInput } from './scope-input.js'
import { call } from './xrpc.js'

export interface DeclareInput {
  /** What the declaration covers; default the whole account. */
  scope?: ScopeInput
  /** A preference per purpose; default `{ trainAi: 'deny' }` (a plain #donottrain). */
  preferences?: PreferencesInput
  /** Free text shown to people (≤ 300 graphemes). */
  statement?: string
  /** https or mailto URI where AI builders can ask for a licence. */
  licenseUri?: string
  /** Origin scope only: publish even when the origin's binding to the account cannot be verified. */
  force?: boolean
  /**
   * Compare-and-swap: the CID the caller expects the current declaration for this scope to
   * have (null: expects none). A different current state fails with SwapConflictError.
   */
  swapRecord?: string | null
}

export interface DeclareResult {
  /** 'unchanged' when the same declaration was already published: nothing was written. */
  action: 'created' | 'updated' | 'unchanged'
  uri: string
  cid: string
  rkey: string
  record: DeclarationRecord
  scope: Scope
  /** Origin scope: how the binding was verified; absent when published with `force`. */
  origin?: OriginBinding
}

/**
 * Publishes a declaration, or updates the existing one for the same scope. Account scope lives
 * at rkey 'self'; any other scope at a server-chosen TID. The record is validated before any
 * write and every write is compare-and-swap, so two writers cannot silently clobber each other.
 */
export async function declare(ctx: SessionContext, input: DeclareInput = {}): Promise<DeclareResult> {
  const preferences = normalizePreferences(input.preferences ?? DEFAULT_PREFERENCES)
  const resolved = await resolveScopeForDeclare(ctx, input.scope ?? { type: 'account' }, { force: input.force })
  const record: DeclarationRecord = {
    $type: ids.AiDonottrainDeclaration,
    scope: resolved.lex,
    preferences,
    ...(input.statement !== undefined ? { statement: input.statement } : {}),
    ...(input.licenseUri !== undefined ? { licenseUri: input.licenseUri } : {}),
    createdAt: new Date().toISOString(),
  }
  const isAccount = resolved.scope.type === 'account'
  assertValid(record, ctx.did, isAccount ? ACCOUNT_RKEY : undefined)

  // The repository's commit before reading, so a create can be made conditional on nothing
  // having changed in between (no duplicate from a concurrent declare).
  const commit = await call(ctx.service, 'read', () => ctx.agent.com.atproto.sync.getLatestCommit({ did: ctx.did }))
  const { entries } = await listDeclarations(ctx.agent, ctx.service, ctx.did)
  const key = scopeKey(resolved.scope)
  const current: DeclarationEntry | undefined = isAccount
    ? entries.find((e) => e.rkey === ACCOUNT_RKEY)
    : entries.find((e): e is ValidDeclarationEntry => e.valid && scopeKey(e.scope) === key)
  if (input.swapRecord !== undefined && (current?.cid ?? null) !== input.swapRecord) {
    throw new SwapConflictError(
      `declaration changed since it was read scope=${key} expected=${input.swapRecord} current=${current?.cid ?? null}`,
    )
  }
  const origin = resolved.binding ? { origin: resolved.binding } : {}
  if (current?.valid && sameDeclaration(current, resolved.scope, record)) {
    const { uri, cid, rkey } = current
    return { action: 'unchanged', uri, cid, rkey, scope: resolved.scope, record: current.record, ...origin }
  }
  if (current || isAccount) {
    const rkey = current?.rkey ?? ACCOUNT_RKEY
    assertValid(record, ctx.did, rkey)
    const res = await call(ctx.service, 'write', () =>
      ctx.agent.com.atproto.repo.putRecord({
        repo: ctx.did,
        collection: ids.AiDonottrainDeclaration,
        rkey,
        record,
        swapRecord: current?.cid ?? null,
      }),
    )
    const action = current ? 'updated' : 'created'
    return { action, uri: res.data.uri, cid: res.data.cid, rkey, scope: resolved.scope, record, ...origin }
  }
  const res = await call(ctx.service, 'write', () =>
    ctx.agent.com.atproto.repo.createRecord({
      repo: ctx.did,
      collection: ids.AiDonottrainDeclaration,
      record,
      swapCommit: commit.data.cid,
    }),
  )
  const rkey = res.data.uri.slice(res.data.uri.lastIndexOf('/') + 1)
  return { action: 'created', uri: res.data.uri, cid: res.data.cid, rkey, scope: resolved.scope, record, ...origin }
}

/**
 * Same scope (for a record scope, the same version of the record), preferences, statement and
 * licence: declaring it again would change nothing but createdAt.
 */
export function sameDeclaration(current: ValidDeclarationEntry, scope: Scope, record: DeclarationRecord): boolean {
  const a = current.scope
  return (
    scopeKey(a) === scopeKey(scope) &&
    (a.type !== 'record' || scope.type !== 'record' || a.cid === scope.cid) &&
    samePreferences(current.preferences, record.preferences) &&
    current.record.statement === record.statement &&
    current.record.licenseUri === record.licenseUri
  )
}

function assertValid(record: DeclarationRecord, did: string, rkey: string | undefined): void {
  const checked = validateDeclaration(record, { did, ...(rkey !== undefined ? { rkey } : {}) })
  if (checked.ok) return
  const { code, message } = checked.error
  const Err = ERRORS_BY_CODE[code] ?? InvalidInputError
  throw new Err(message, { cause: checked.error })
}

const ERRORS_BY_CODE: Partial<
  Record<DeclarationErrorCode, new (message: string, options?: { cause?: unknown }) => DonottrainClientError>
> = {
  InvalidOrigin: InvalidOriginError,
  ForeignSubject: ForeignRecordError,
}
