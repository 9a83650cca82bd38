import { type ActorRef, err, ok, type Result } from '@donottrain/lexicon'
import { getHandle } from '../identity/atproto-fields.js'
import type { DidDocument } from '../identity/did-document.js'
import type { ResolveOptions } from '../identity/did-resolver.js'
import type { HandleResolveError } from '../identity/handle-resolver.js'
import type { ResolveError } from '../identity/resolve-error.js'
import { CheckError } from './errors.js'

/** What resolution needs: DID documents, and handle → DID. */
export interface AccountResolver {
  dids: { resolve(did: string, opts?: ResolveOptions): Promise<Result<DidDocument, ResolveError>> }
  resolveHandle(handle: string): Promise<Result<string, HandleResolveError | Error>>
}

export interface ResolvedAccount {
  did: string
  /** Present when the account was named by a handle (confirmed by the DID document). */
  handle?: string
  document: DidDocument
}

/**
 * Resolves an account to its DID document. A handle must resolve to a DID whose document claims
 * the handle back. UnresolvableSubject when the account does not exist (or the handle is not
 * its own); IdentityUnreachable when the directory or host could not be asked.
 */
export async function resolveAccount(
  actor: ActorRef,
  deps: AccountResolver,
): Promise<Result<ResolvedAccount, CheckError>> {
  let did: string
  let handle: string | undefined
  if ('did' in actor) {
    did = actor.did
  } else {
    handle = actor.handle
    const found = await deps.resolveHandle(handle)
    if (!found.ok) {
      return err(
        new CheckError('UnresolvableSubject', `handle does not resolve handle=${handle}`, { cause: found.error }),
      )
    }
    did = found.value
  }
  const doc = await deps.dids.resolve(did)
  if (!doc.ok) {
    const code = doc.error.code === 'FetchFailed' ? 'IdentityUnreachable' : 'UnresolvableSubject'
    return err(new CheckError(code, doc.error.message, { cause: doc.error }))
  }
  if (handle !== undefined && getHandle(doc.value) !== handle) {
    return err(
      new CheckError(
        'UnresolvableSubject',
        `did document does not claim the handle handle=${handle} did=${did} claimed=${getHandle(doc.value) ?? 'none'}`,
      ),
    )
  }
  return ok({ did, ...(handle !== undefined ? { handle } : {}), document: doc.value })
}
