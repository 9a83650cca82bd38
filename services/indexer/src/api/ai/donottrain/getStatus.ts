import { InvalidRequestError, type Server } from '@atproto/xrpc-server'
import { ids } from '@donottrain/lexicon'
import type { ApiContext } from '../../context.js'
import { statusAt } from '../../history.js'
import { statusOf } from '../../status.js'

export default function (server: Server, ctx: ApiContext): void {
  server.method(ids.AiDonottrainGetStatus, {
    handler: async ({ params }) => {
      const subject = params.subject as string
      const at = params.at as string | undefined
      // One subject: always with its log checkpoint and inclusion proofs.
      const [answer] = at
        ? [await statusAt(subject, at, { ...ctx, tlog: ctx.tlog })]
        : await statusOf([subject], { ...ctx, tlog: ctx.tlog }, { logProofs: true })
      if (!answer) throw new Error('no answer for one subject')
      if (!answer.ok) throw new InvalidRequestError(answer.error.message, answer.error.error)
      const { $type: _type, ...body } = answer.status
      return { encoding: 'application/json', body }
    },
  })
}
