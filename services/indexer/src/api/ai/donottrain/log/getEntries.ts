import { decode } from '@atcute/cbor'
import type { Server } from '@atproto/xrpc-server'
import { type AiDonottrainLogDefs, ids } from '@donottrain/lexicon'
import { toBase64 } from '@donottrain/verifier'
import type { LeafFields } from '../../../../tlog/leaf.js'
import { type ApiContext, LIMITS } from '../../../context.js'

export default function (server: Server, ctx: ApiContext): void {
  server.method(ids.AiDonottrainLogGetEntries, {
    handler: async ({ params }) => {
      const start = (params.start as number | undefined) ?? 0
      const limit = Math.min((params.limit as number | undefined) ?? LIMITS.defaultLogEntries, LIMITS.maxLogEntries)
      const rows = await ctx.tlog.store.entries(start, limit)
      const entries: AiDonottrainLogDefs.Entry[] = rows.map((r) => {
        const f = decode(r.leaf) as LeafFields
        return {
          index: r.idx,
          leaf: toBase64(r.leaf),
          leafHash: toBase64(r.hash),
          seq: f.seq,
          did: f.did,
          ...(f.collection !== null && { collection: f.collection }),
          ...(f.rkey !== null && { rkey: f.rkey }),
          ...(f.cid !== null && { cid: f.cid }),
          ...(f.rev !== null && { rev: f.rev }),
          kind: f.kind,
          indexedAt: f.indexedAt,
        }
      })
      return { encoding: 'application/json', body: { entries } }
    },
  })
}
