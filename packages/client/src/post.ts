import { type AppBskyFeedPost, type AppBskyRichtextFacet, RichText } from '@atproto/api'
import { bskyIds } from '@donottrain/lexicon'
import type { SessionContext } from './context.js'
import { InvalidInputError } from './errors.js'
import { isDonottrainFacet, withDonottrainTag } from './hashtag.js'
import { call } from './xrpc.js'

/** app.bsky.feed.post text limit. */
export const POST_MAX_GRAPHEMES = 300

export interface PostOptions {
  /** Make sure the post carries #donottrain (appended when the text lacks it). */
  donottrain?: boolean
  /** BCP-47 language tags of the text. */
  langs?: string[]
}

export interface PostResult {
  uri: string
  cid: string
  text: string
  facets: AppBskyRichtextFacet.Main[]
}

/**
 * Publishes a Bluesky post. Facets (tags, links, mentions) are detected with @atproto/api's
 * RichText, so `#donottrain` becomes an `app.bsky.richtext.facet#tag` with UTF-8 byte offsets.
 */
export async function post(ctx: SessionContext, text: string, opts: PostOptions = {}): Promise<PostResult> {
  const finalText = opts.donottrain ? withDonottrainTag(text) : text
  const rt = new RichText({ text: finalText })
  if (rt.text.trim() === '') throw new InvalidInputError('post text is empty')
  if (rt.graphemeLength > POST_MAX_GRAPHEMES) {
    throw new InvalidInputError(`post too long graphemes=${rt.graphemeLength} max=${POST_MAX_GRAPHEMES}`)
  }
  await rt.detectFacets(ctx.agent)
  // A mention whose handle did not resolve has no DID and would make the record invalid.
  const facets = (rt.facets ?? []).filter((f) => f.features.every((feat) => (feat as { did?: unknown }).did !== ''))
  if (opts.donottrain && !facets.some(isDonottrainFacet)) {
    throw new InvalidInputError('post text does not carry a #donottrain tag')
  }
  const record: AppBskyFeedPost.Record = {
    $type: bskyIds.post,
    text: rt.text,
    ...(facets.length > 0 ? { facets } : {}),
    ...(opts.langs?.length ? { langs: opts.langs } : {}),
    createdAt: new Date().toISOString(),
  }
  const res = await call(ctx.service, 'write', () =>
    ctx.agent.com.atproto.repo.createRecord({ repo: ctx.did, collection: bskyIds.post, record }),
  )
  return { uri: res.data.uri, cid: res.data.cid, text: rt.text, facets }
}
