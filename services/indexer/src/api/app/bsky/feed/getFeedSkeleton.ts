import { InvalidRequestError, type Server } from '@atproto/xrpc-server'
import { bskyIds } from '@donottrain/lexicon'
import { parseSeqCursor } from '../../../changes.js'
import { type ApiContext, LIMITS } from '../../../context.js'

/**
 * The #donottrain feed: newest first, posts tagged #donottrain and posts named by a record-scope
 * declaration. The cursor is the seq of the last item served.
 */
export default function (server: Server, ctx: ApiContext): void {
  server.method(bskyIds.feedGetFeedSkeleton, {
    handler: async ({ params }) => {
      const feed = params.feed as string
      const expected = ctx.feed.publisherDid
        ? `at://${ctx.feed.publisherDid}/${bskyIds.feedGenerator}/${ctx.feed.rkey}`
        : null
      if (feed !== expected) throw new InvalidRequestError(`unknown feed=${feed}`, 'UnknownFeed')
      const before = params.cursor === undefined ? Number.MAX_SAFE_INTEGER : parseSeqCursor(params.cursor as string)
      if (before === null) throw new InvalidRequestError('cursor was not produced by this feed', 'InvalidCursor')
      const limit = Math.min((params.limit as number | undefined) ?? LIMITS.defaultFeedLimit, LIMITS.maxFeedLimit)
      const rows = await ctx.queries.recentPostDeclarations(before, limit, bskyIds.post)
      const seen = new Set<string>()
      const items: Array<{ post: string }> = []
      for (const row of rows) {
        const post = row.source === 'postTag' ? row.uri : row.scope_target
        if (!post || seen.has(post)) continue
        seen.add(post)
        items.push({ post })
      }
      const last = rows.at(-1)
      return {
        encoding: 'application/json',
        body: { feed: items, ...(last && rows.length === limit && { cursor: String(last.seq) }) },
      }
    },
  })
}
