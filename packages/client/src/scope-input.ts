import {
  isValidNsid,
  normalizeHandle,
  parseOrigin,
  parseSubject,
  type Scope,
  scopes,
  splitRecordUri,
} from '@donottrain/lexicon'
import type { SessionContext } from './context.js'
import { ForeignRecordError, InvalidInputError, InvalidOriginError, RecordNotFoundError } from './errors.js'
import { checkOriginBinding, type OriginBinding } from './origin.js'
import { callOrMissing } from './xrpc.js'

/** What a declaration is about, as a caller names it. */
export type ScopeInput =
  | { type: 'account' }
  /** One of your own records: an at-uri (DID or handle authority) or a bsky.app post URL. */
  | { type: 'record'; uri: string }
  /** Every record of one collection, e.g. 'app.bsky.feed.post'. */
  | { type: 'collection'; collection: string }
  /** An https origin you own: your handle's host, or one serving your DID at /.well-known/atproto-did. */
  | { type: 'origin'; origin: string }

export type LexScope =
  | ReturnType<typeof scopes.account>
  | ReturnType<typeof scopes.record>
  | ReturnType<typeof scopes.collection>
  | ReturnType<typeof scopes.origin>

export interface ResolvedScope {
  scope: Scope
  lex: LexScope
  /** For origins: how the binding was verified, or undefined when published with `force`. */
  binding?: OriginBinding
}

/**
 * Turns a scope as named by the caller into the record's scope, checking it against the
 * account: own records only (and they must exist), valid NSIDs, https origins the account owns.
 */
export async function resolveScopeForDeclare(
  ctx: SessionContext,
  input: ScopeInput,
  opts: { force?: boolean | undefined },
): Promise<ResolvedScope> {
  switch (input.type) {
    case 'account':
      return { scope: { type: 'account' }, lex: scopes.account() }
    case 'collection':
      return collectionScope(input.collection)
    case 'record': {
      const { uri, did, collection, rkey } = await ownRecordUri(ctx, input.uri)
      const res = await callOrMissing(ctx.service, () =>
        ctx.agent.com.atproto.repo.getRecord({ repo: did, collection, rkey }),
      )
      if (!res?.data.cid) throw new RecordNotFoundError(`record not found uri=${uri}`)
      const subject = { uri, cid: res.data.cid }
      return { scope: { type: 'record', ...subject }, lex: scopes.record(subject) }
    }
    case 'origin': {
      const origin = canonicalOrigin(input.origin)
      const scope: Scope = { type: 'origin', origin, verified: false }
      if (opts.force) return { scope, lex: scopes.origin(origin) }
      const binding = await checkOriginBinding(
        origin,
        { did: ctx.did, handle: ctx.handle },
        { fetch: ctx.fetch, ...(ctx.originTimeoutMs ? { timeoutMs: ctx.originTimeoutMs } : {}) },
      )
      return { scope: { ...scope, verified: true }, lex: scopes.origin(origin), binding }
    }
    default:
      throw new InvalidInputError(`unknown scope type=${JSON.stringify((input as { type?: unknown }).type)}`)
  }
}

/**
 * The scope a revoke is about, without touching the network beyond resolving a handle: a
 * declaration about a deleted post can still be revoked.
 */
export async function resolveScopeForRevoke(ctx: SessionContext, input: ScopeInput): Promise<Scope> {
  switch (input.type) {
    case 'account':
      return { type: 'account' }
    case 'collection':
      return collectionScope(input.collection).scope
    case 'record':
      return { type: 'record', uri: (await ownRecordUri(ctx, input.uri)).uri }
    case 'origin':
      return { type: 'origin', origin: canonicalOrigin(input.origin), verified: false }
    default:
      throw new InvalidInputError(`unknown scope type=${JSON.stringify((input as { type?: unknown }).type)}`)
  }
}

function collectionScope(collection: string): ResolvedScope {
  if (typeof collection !== 'string' || !isValidNsid(collection))
    throw new InvalidInputError(`not a valid collection nsid collection=${collection}`)
  return { scope: { type: 'collection', collection }, lex: scopes.collection(collection) }
}

function canonicalOrigin(origin: string): string {
  if (typeof origin !== 'string') throw new InvalidOriginError('origin must be a string')
  const parsed = parseOrigin(origin)
  if (!parsed.ok) throw new InvalidOriginError(parsed.error.message, { cause: parsed.error })
  return parsed.value.origin
}

/** A record URI in the signed-in account's repository, rewritten with the DID as authority. */
async function ownRecordUri(
  ctx: SessionContext,
  input: string,
): Promise<{ uri: string; did: string; collection: string; rkey: string }> {
  const parsed = parseSubject(String(input))
  if (!parsed.ok || parsed.value.kind !== 'record') {
    throw new InvalidInputError(`not a record at-uri or bsky.app post url input=${JSON.stringify(input)}`)
  }
  const { actor, collection, rkey } = parsed.value
  let did: string | undefined
  if ('did' in actor) did = actor.did
  else if (normalizeHandle(actor.handle) === normalizeHandle(ctx.handle)) did = ctx.did
  else did = await ctx.resolver.resolveHandle(actor.handle).catch(() => undefined)
  const uri = `at://${did ?? ('handle' in actor ? actor.handle : '')}/${collection}/${rkey}`
  if (did !== ctx.did) {
    throw new ForeignRecordError(`record is in another account's repository uri=${uri} you=${ctx.did}`)
  }
  if (!splitRecordUri(uri)) throw new InvalidInputError(`not a record at-uri input=${JSON.stringify(input)}`)
  return { uri, did, collection, rkey }
}
