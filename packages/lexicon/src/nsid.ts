import { ids as atprotoIds } from '@atproto/api'
import { ids as donottrainIds } from './generated/lexicons.js'

/** NSIDs of the lexicons in /lexicons (ai.donottrain and the foreign records the indexer reads). */
export const ids = donottrainIds

/** NSIDs of the Bluesky and atproto lexicons the project reads, from @atproto/api's generated ids. */
export const bskyIds = {
  post: atprotoIds.AppBskyFeedPost,
  profile: atprotoIds.AppBskyActorProfile,
  feedGenerator: atprotoIds.AppBskyFeedGenerator,
  list: atprotoIds.AppBskyGraphList,
  starterpack: atprotoIds.AppBskyGraphStarterpack,
  facetTag: `${atprotoIds.AppBskyRichtextFacet}#tag`,
  feedDefs: atprotoIds.AppBskyFeedDefs,
  feedDescribeFeedGenerator: atprotoIds.AppBskyFeedDescribeFeedGenerator,
  feedGetFeedSkeleton: atprotoIds.AppBskyFeedGetFeedSkeleton,
  syncGetRecord: atprotoIds.ComAtprotoSyncGetRecord,
  syncGetLatestCommit: atprotoIds.ComAtprotoSyncGetLatestCommit,
  syncGetRepo: atprotoIds.ComAtprotoSyncGetRepo,
  syncListRepos: atprotoIds.ComAtprotoSyncListRepos,
  syncListReposByCollection: atprotoIds.ComAtprotoSyncListReposByCollection,
  repoListRecords: atprotoIds.ComAtprotoRepoListRecords,
  repoDescribeRepo: atprotoIds.ComAtprotoRepoDescribeRepo,
  identityResolveHandle: atprotoIds.ComAtprotoIdentityResolveHandle,
} as const
