import { ACCOUNT_RKEY, ids, isValidRecordKey } from '@donottrain/lexicon'
import type { SessionContext } from './context.js'
import { InvalidInputError } from './errors.js'
import { type DeclarationEntry, listDeclarations, scopeKey } from './list.js'
import { resolveScopeForRevoke, type ScopeInput } from './scope-input.js'
import { call } from './xrpc.js'

/** What to revoke: the declaration(s) for a scope, one record key, or every declaration. */
export type RevokeTarget = ScopeInput | { rkey: string } | { all: true }

export interface RevokeResult {
  /** The declarations deleted; empty when there was nothing to revoke. */
  revoked: Array<{ uri: string; cid: string; rkey: string }>
}

/**
 * Deletes declarations. Revoking is idempotent: revoking what is not there deletes nothing and
 * says so. Each delete is compare-and-swap on the CID just read, so a declaration changed by
 * another writer in the meantime is not deleted blindly (SwapConflictError).
 */
export async function revoke(ctx: SessionContext, target: RevokeTarget = { type: 'account' }): Promise<RevokeResult> {
  const match = await matcher(ctx, target)
  const { entries } = await listDeclarations(ctx.agent, ctx.service, ctx.did)
  const revoked: RevokeResult['revoked'] = []
  for (const entry of entries.filter(match)) {
    await call(ctx.service, 'write', () =>
      ctx.agent.com.atproto.repo.deleteRecord({
        repo: ctx.did,
        collection: ids.AiDonottrainDeclaration,
        rkey: entry.rkey,
        swapRecord: entry.cid,
      }),
    )
    revoked.push({ uri: entry.uri, cid: entry.cid, rkey: entry.rkey })
  }
  return { revoked }
}

async function matcher(ctx: SessionContext, target: RevokeTarget): Promise<(e: DeclarationEntry) => boolean> {
  if ('all' in target) {
    if (target.all !== true) throw new InvalidInputError('revoke target all must be true')
    return () => true
  }
  if ('rkey' in target) {
    if (!isValidRecordKey(target.rkey)) throw new InvalidInputError(`not a valid record key rkey=${target.rkey}`)
    return (e) => e.rkey === target.rkey
  }
  const scope = await resolveScopeForRevoke(ctx, target)
  if (scope.type === 'account') return (e) => e.rkey === ACCOUNT_RKEY
  const key = scopeKey(scope)
  return (e) => e.valid && scopeKey(e.scope) === key
}
