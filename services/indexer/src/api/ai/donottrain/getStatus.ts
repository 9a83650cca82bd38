import { InvalidRequestError, type Server } from '@atproto/xrpc-server'
import { ids } from '@donottrain/lexicon'
import type { ApiContext } from '../../context.js'
import { statusOf } from '../../status.js'

export default function (server: Server, ctx: ApiContext): void {
  server.method(ids.AiDonottrainGetStatus, {
    handler: async ({ params }) => {
      const [answer] = await statusOf([params.subject as string], ctx)
      if (!answer) throw new Error('no answer for one subject')
      if (!answer.ok) throw new InvalidRequestError(answer.error.message, answer.error.error)
      const { $type: _type, ...body } = answer.status
      return { encoding: 'application/json', body }
    },
  })
}
