import { InvalidRequestError, type Server } from '@atproto/xrpc-server'
import { ids } from '@donottrain/lexicon'
import type { ApiContext } from '../../context.js'

export default function (server: Server, ctx: ApiContext): void {
  server.method(ids.AiDonottrainGetProof, {
    handler: async ({ params }) => {
      const uri = params.uri as string
      const proof = await ctx.queries.proof(uri)
      if (!proof) throw new InvalidRequestError(`no current declaration at uri=${uri}`, 'DeclarationNotFound')
      return { encoding: 'application/vnd.ipld.car', buffer: Buffer.from(proof) }
    },
  })
}
