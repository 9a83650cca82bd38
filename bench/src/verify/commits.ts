import { IdResolver, MemoryCache } from '@atproto/identity'
import { parseCommitAuthenticated } from '@atproto/sync'
import { type CommitVerifier, createCommitVerifier } from '@donottrain/indexer'
import { decodeFrame } from '@donottrain/test'
import { DidResolver } from '@donottrain/verifier'

type IndexerCommitEvent = Parameters<CommitVerifier>[0]
type IndexerRepoState = NonNullable<Parameters<CommitVerifier>[1]>

const str = (v: unknown): string => String(v)
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v))

export interface CommitCase {
  /** The decoded body, as @atproto/sync's Firehose hands it to parseCommitAuthenticated. */
  // biome-ignore lint/suspicious/noExplicitAny: the reference's Commit type, decoded by the reference decoder
  body: any
  event: IndexerCommitEvent
  /** The repo as the indexer stores it before this commit: a tracked account, so the chain is checked too. */
  state: IndexerRepoState
  ops: number
}

/** Decodes the frames once (not timed) into what each commit validator takes. */
export function commitCases(frames: readonly Uint8Array[]): CommitCase[] {
  return frames.map((bytes) => {
    const { body } = decodeFrame(bytes)
    const ops = (body.ops as Array<Record<string, unknown>>).map((op) => ({
      action: op.action as 'create' | 'update' | 'delete',
      path: str(op.path),
      cid: strOrNull(op.cid),
      prev: strOrNull(op.prev),
    }))
    const event: IndexerCommitEvent = {
      type: 'commit',
      seq: body.seq as number,
      repo: str(body.repo),
      rev: str(body.rev),
      since: strOrNull(body.since),
      commit: str(body.commit),
      blocks: body.blocks as Uint8Array,
      ops,
      prevData: strOrNull(body.prevData),
      time: str(body.time),
    }
    const state: IndexerRepoState = {
      did: event.repo,
      rev: event.since ?? '',
      data_cid: event.prevData ?? '',
      commit_cid: '',
      status: 'active',
      handle: null,
      updated_at: '',
      resync_rev: null,
    }
    return { body, event, state, ops: ops.length }
  })
}

export interface CommitValidators {
  source: string
  /** Resolves true when the commit validated. */
  indexer(c: CommitCase): Promise<boolean>
  reference(c: CommitCase): Promise<boolean>
  close(): Promise<void>
}

/**
 * Both validators with their DID caches warmed for every account (steady state: the figure is
 * validation work, not DID lookups). The reference is @atproto/sync's parseCommitAuthenticated,
 * the per-commit work of its Firehose with unauthenticatedCommits: false.
 */
export async function commitValidators(plcUrl: string, dids: readonly string[]): Promise<CommitValidators> {
  const resolver = new DidResolver({ plcUrl, allowLoopback: true })
  const idResolver = new IdResolver({ plcUrl, didCache: new MemoryCache() })
  for (const did of dids) {
    const key = await resolver.resolveAtprotoKey(did)
    if (!key.ok) throw new Error(`cannot resolve did=${did}`, { cause: key.error })
    await idResolver.did.resolveAtprotoKey(did)
  }
  const verify = createCommitVerifier({ resolver, maxRevSkewMs: 300_000, maxCarBytes: 5 * 1024 * 1024 })
  return {
    source: '@donottrain/indexer createCommitVerifier',
    indexer: async (c) => (await verify(c.event, c.state)).ok,
    reference: async (c) => (await parseCommitAuthenticated(idResolver, c.body)).length === c.ops,
    close: () => resolver.close(),
  }
}
