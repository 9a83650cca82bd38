import { bskyIds, isValidDid } from '@donottrain/lexicon'
import type { BackfillRepoState } from '../db/backfill-store.js'
import type { SyncError } from '../sync/errors.js'
import { type XrpcClient, xrpcJson } from '../sync/xrpc.js'

export type ListPage =
  | { kind: 'page'; dids: string[]; state: BackfillRepoState; cursor: string | null }
  | { kind: 'unsupported' }
  | { kind: 'error'; error: SyncError }

/** Lists repositories on a relay or PDS, one page at a time. */
export interface Lister {
  /** com.atproto.sync.listReposByCollection: repositories holding a record of `collection`. */
  byCollection(collection: string, cursor: string | undefined, signal: AbortSignal): Promise<ListPage>
  /** com.atproto.sync.listRepos: every active repository (to be described first). */
  all(cursor: string | undefined, signal: AbortSignal): Promise<ListPage>
}

/** The key a listing's cursor is saved under. */
export function listingKey(kind: 'collection' | 'listRepos', collection?: string): string {
  return kind === 'collection' ? `collection:${collection}` : 'listRepos'
}

/**
 * Statuses that mean the host does not offer the method to us: 501 (an XRPC server's
 * MethodNotImplemented), 404 / 405, and 401 / 403 (a PDS hands unknown methods to its
 * authenticated proxy).
 */
const UNSUPPORTED = new Set([401, 403, 404, 405, 501])

/** A Lister over XRPC at `base` (SSRF-guarded, rate-limited; pages of `pageSize`). */
export function xrpcLister(base: string, client: Omit<XrpcClient, 'signal'>, pageSize: number): Lister {
  const page = async (
    nsid: string,
    params: Record<string, string | number | undefined>,
    state: BackfillRepoState,
    signal: AbortSignal,
    keep: (repo: Record<string, unknown>) => boolean,
  ): Promise<ListPage> => {
    const res = await xrpcJson({ ...client, signal }, base, nsid, params)
    if (!res.ok) {
      const { error } = res
      if (error.code === 'HttpError' && error.status !== undefined && UNSUPPORTED.has(error.status)) {
        return { kind: 'unsupported' }
      }
      return { kind: 'error', error }
    }
    const { repos, cursor } = res.value
    if (!Array.isArray(repos)) return { kind: 'page', dids: [], state, cursor: null }
    const dids: string[] = []
    for (const repo of repos) {
      if (typeof repo !== 'object' || repo === null) continue
      const did = (repo as { did?: unknown }).did
      if (typeof did === 'string' && isValidDid(did) && keep(repo as Record<string, unknown>)) dids.push(did)
    }
    const next = typeof cursor === 'string' && cursor !== '' && repos.length > 0 ? cursor : null
    return { kind: 'page', dids, state, cursor: next }
  }
  return {
    byCollection: (collection, cursor, signal) =>
      page(bskyIds.syncListReposByCollection, { collection, limit: pageSize, cursor }, 'pending', signal, () => true),
    all: (cursor, signal) =>
      page(bskyIds.syncListRepos, { limit: pageSize, cursor }, 'candidate', signal, (repo) => repo.active !== false),
  }
}
