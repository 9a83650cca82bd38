import { bskyIds, isValidDid, isValidRecordKey } from '@donottrain/lexicon'
import type { SessionContext } from './context.js'
import { InvalidInputError } from './errors.js'

/** The record key of the #donottrain feed an indexer serves (its describeFeedGenerator names it). */
export const FEED_RKEY = 'donottrain'

export interface FeedGeneratorInput {
  /** The indexer's service DID (its did:web, from its /.well-known/did.json). */
  serviceDid: string
  /** Default "#donottrain". */
  displayName?: string
  description?: string
  /** Default FEED_RKEY. */
  rkey?: string
}

export interface FeedGeneratorResult {
  uri: string
  cid: string
  record: Record<string, unknown>
}

/**
 * Publishes (or replaces) the `app.bsky.feed.generator` record that makes an indexer's
 * #donottrain feed appear in Bluesky: the record names the indexer's did:web, which serves
 * `getFeedSkeleton`. Set INDEXER_FEED_PUBLISHER_DID to this account's DID on the indexer.
 */
export async function publishFeedGenerator(
  ctx: SessionContext,
  input: FeedGeneratorInput,
): Promise<FeedGeneratorResult> {
  const rkey = input.rkey ?? FEED_RKEY
  if (!isValidDid(input.serviceDid)) throw new InvalidInputError(`not a did serviceDid=${input.serviceDid}`)
  if (!isValidRecordKey(rkey)) throw new InvalidInputError(`not a record key rkey=${rkey}`)
  const displayName = input.displayName ?? '#donottrain'
  if ([...displayName].length > 24) throw new InvalidInputError('displayName is longer than 24 characters')
  const record = {
    $type: bskyIds.feedGenerator,
    did: input.serviceDid,
    displayName,
    description:
      input.description ??
      'Posts tagged #donottrain and posts their authors opted out of AI training, from a donottrain indexer.',
    createdAt: new Date().toISOString(),
  }
  const res = await ctx.agent.com.atproto.repo.putRecord({
    repo: ctx.did,
    collection: bskyIds.feedGenerator,
    rkey,
    record,
  })
  return { uri: res.data.uri, cid: res.data.cid, record }
}
