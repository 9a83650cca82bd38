import type { Server } from '@atproto/xrpc-server'
import { bskyIds } from '@donottrain/lexicon'
import type { ApiContext } from '../../../context.js'

export default function (server: Server, ctx: ApiContext): void {
  server.method(bskyIds.feedDescribeFeedGenerator, {
    handler: () => ({
      encoding: 'application/json',
      body: {
        did: ctx.identity.did,
        feeds: ctx.feed.publisherDid
          ? [{ uri: `at://${ctx.feed.publisherDid}/${bskyIds.feedGenerator}/${ctx.feed.rkey}` }]
          : [],
      },
    }),
  })
}
