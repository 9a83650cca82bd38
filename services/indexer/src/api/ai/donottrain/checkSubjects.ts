import type { Server } from '@atproto/xrpc-server'
import { ids } from '@donottrain/lexicon'
import type { ApiContext } from '../../context.js'
import { statusOf } from '../../status.js'

export default function (server: Server, ctx: ApiContext): void {
  server.method(ids.AiDonottrainCheckSubjects, {
    // 1000 subjects of up to 8 KiB each, as JSON.
    opts: { jsonLimit: 9 * 1024 * 1024 },
    handler: async ({ input }) => {
      // The lexicon bounds the array (1..1000 strings of ≤ 8192); a longer one never gets here.
      const { subjects, logProofs } = (input as { body: { subjects: string[]; logProofs?: boolean } }).body
      const answers = await statusOf(subjects, { ...ctx, tlog: ctx.tlog }, { logProofs: logProofs === true })
      return {
        encoding: 'application/json',
        body: { results: answers.map((a) => (a.ok ? a.status : a.error)) },
      }
    },
  })
}
