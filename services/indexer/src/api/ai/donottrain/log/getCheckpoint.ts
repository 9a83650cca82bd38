import { InvalidRequestError, type Server } from '@atproto/xrpc-server'
import { ids } from '@donottrain/lexicon'
import type { ApiContext } from '../../../context.js'
import { checkpointView } from './views.js'

export default function (server: Server, ctx: ApiContext): void {
  server.method(ids.AiDonottrainLogGetCheckpoint, {
    handler: async () => {
      const cp = await ctx.tlog.store.latestCheckpoint()
      if (!cp) throw new InvalidRequestError('the log has no checkpoint yet', 'NoCheckpoint')
      return { encoding: 'application/json', body: checkpointView(cp, ctx.tlog) }
    },
  })
}
