import { InvalidRequestError, type Server } from '@atproto/xrpc-server'
import { ids } from '@donottrain/lexicon'
import { toBase64 } from '@donottrain/verifier'
import type { ApiContext } from '../../../context.js'

export default function (server: Server, ctx: ApiContext): void {
  server.method(ids.AiDonottrainLogGetConsistencyProof, {
    handler: async ({ params }) => {
      const first = params.first as number
      const second = params.second as number
      if (first > second) throw new InvalidRequestError('first is greater than second', 'InvalidRange')
      if (second > (await ctx.tlog.store.size())) {
        throw new InvalidRequestError('second is beyond the log', 'TreeSizeTooLarge')
      }
      const hashes = await ctx.tlog.store.consistencyProof(first, second)
      return { encoding: 'application/json', body: { first, second, hashes: hashes.map(toBase64) } }
    },
  })
}
