import { bskyIds, err, ids, ok, type Result } from '@donottrain/lexicon'
import {
  type DidDocument,
  getPdsEndpoint,
  type KeyResolver,
  type ResolveError,
  type SafeFetch,
} from '@donottrain/verifier'
import { isOutage } from '../ingest/outage.js'
import { SyncError } from './errors.js'
import { targetedSnapshot } from './fetch-records.js'
import { snapshotFromRepoCar } from './fetch-repo.js'
import type { RepoSnapshot, SyncMode } from './snapshot.js'
import type { HostRateLimiter } from './token-bucket.js'
import { CAR_TYPE, type XrpcClient, xrpcGet, xrpcJson } from './xrpc.js'

/** The collections a record-by-record read lists in full: the declaration records and the foreign lexicons. */
export const LISTED_COLLECTIONS: readonly string[] = [
  ids.AiDonottrainDeclaration,
  ids.OrgUserIntentsDemoDeclaration,
  ids.CommunityLexiconPreferenceAi,
]

export interface DidDocumentResolver extends KeyResolver {
  resolve(did: string, opts?: { forceRefresh?: boolean }): Promise<Result<DidDocument, ResolveError>>
}

export interface RepoFetcherOptions {
  resolver: DidDocumentResolver
  /** SSRF-guarded fetch for PDS endpoints (attacker-controlled). */
  fetch: SafeFetch
  limiter: HostRateLimiter
  /** Largest getRepo answer read; 0 reads record by record always. */
  maxRepoBytes: number
  /** Stored declaration URIs of an account (proven present or absent in a record-by-record read). */
  knownUris(did: string): Promise<string[]>
  /** Counts a record rejected while reading a snapshot (same reasons as the firehose's). */
  reject(reason: string): void
}

export interface FetchOptions {
  signal?: AbortSignal
  /** Resolve the DID document again, bypassing the cache (a retry). */
  refresh?: boolean
}

/**
 * Fetches a verified snapshot of an account's repository from its PDS (found in its DID
 * document). `full` reads the whole repository with com.atproto.sync.getRepo — one signed
 * commit covering everything, posts and profile included — and falls back to a
 * record-by-record read when the repository is larger than the byte cap; `targeted` reads the
 * declaration collections and the stored paths record by record with proofs.
 */
export class RepoFetcher {
  constructor(private readonly opts: RepoFetcherOptions) {}

  async fetch(did: string, mode: SyncMode, fetchOpts: FetchOptions = {}): Promise<Result<RepoSnapshot, SyncError>> {
    const { resolver, maxRepoBytes } = this.opts
    const found = await this.pds(did, fetchOpts)
    if (!found.ok) return found
    const { pds, client } = found.value

    if (mode === 'full' && maxRepoBytes > 0) {
      const car = await xrpcGet(client, pds, bskyIds.syncGetRepo, { did }, { accept: CAR_TYPE, maxBytes: maxRepoBytes })
      if (car.ok) return snapshotFromRepoCar(did, car.value, resolver, this.opts.reject)
      if (car.error.code !== 'TooLarge') return car
    }
    return targetedSnapshot(did, {
      client,
      pds,
      resolver,
      collections: LISTED_COLLECTIONS,
      knownUris: await this.opts.knownUris(did),
      reject: this.opts.reject,
    })
  }

  /** The collections an account's repository holds (com.atproto.repo.describeRepo on its PDS; not proven). */
  async collections(did: string, fetchOpts: FetchOptions = {}): Promise<Result<string[], SyncError>> {
    const found = await this.pds(did, fetchOpts)
    if (!found.ok) return found
    const res = await xrpcJson(found.value.client, found.value.pds, bskyIds.repoDescribeRepo, { repo: did })
    if (!res.ok) return res
    const { collections } = res.value
    if (!Array.isArray(collections) || !collections.every((c) => typeof c === 'string')) {
      return err(new SyncError('BadResponse', `describeRepo answer without collections did=${did}`))
    }
    return ok(collections as string[])
  }

  private async pds(
    did: string,
    fetchOpts: FetchOptions,
  ): Promise<Result<{ pds: string; client: XrpcClient }, SyncError>> {
    const doc = await this.opts.resolver.resolve(did, { forceRefresh: fetchOpts.refresh === true })
    if (!doc.ok) {
      const code = isOutage(doc.error) ? 'DidUnavailable' : 'DidNotResolved'
      return err(new SyncError(code, doc.error.message, { cause: doc.error }))
    }
    const pds = getPdsEndpoint(doc.value)
    if (pds === undefined) return err(new SyncError('NoPds', `did document names no pds did=${did}`))
    return ok({ pds, client: { fetch: this.opts.fetch, limiter: this.opts.limiter, signal: fetchOpts.signal } })
  }
}
