import { InvalidRequestError, type Server } from '@atproto/xrpc-server'
import { ids } from '@donottrain/lexicon'
import { changeView, parseSeqCursor } from '../../changes.js'
import { type ApiContext, LIMITS } from '../../context.js'

export default function (server: Server, ctx: ApiContext): void {
  server.method(ids.AiDonottrainListDeclarations, {
    handler: async ({ params }) => {
      const after = params.cursor === undefined ? 0 : parseSeqCursor(params.cursor as string)
      if (after === null) throw new InvalidRequestError('cursor was not produced by this indexer', 'InvalidCursor')
      const limit = Math.min((params.limit as number | undefined) ?? LIMITS.defaultListLimit, LIMITS.maxListLimit)
      const rows = await ctx.queries.changesAfter(after, limit)
      const last = rows.at(-1)
      return {
        encoding: 'application/json',
        body: {
          changes: rows.map(changeView),
          // Poll on with the cursor; an empty page (no cursor) is the end of the feed for now.
          ...(last && { cursor: String(last.seq) }),
        },
      }
    },
  })
}
