import { isValidDid } from '@donottrain/lexicon'
import type { Command } from 'commander'
import { Option } from 'commander'
import { type CliContext, type CommonOptions, httpUrl, jsonOption } from '../context.js'
import { CliError, UsageError } from '../io.js'

interface FeedPublishOptions extends CommonOptions {
  indexer?: string
  serviceDid?: string
  name?: string
  description?: string
}

export function register(program: Command, ctx: CliContext): void {
  const feed = program.command('feed').description("the indexer's Bluesky custom feed of #donottrain posts")
  const cmd = feed
    .command('publish')
    .description('publish the app.bsky.feed.generator record that makes your indexer’s feed appear in Bluesky')
    .addOption(
      new Option('--indexer <url>', 'the indexer; its did:web is read from /.well-known/did.json').argParser(httpUrl),
    )
    .option('--service-did <did>', 'the indexer’s service DID, instead of asking --indexer')
    .option('--name <text>', 'display name (≤ 24 characters)', '#donottrain')
    .option('--description <text>', 'what the feed shows')
  jsonOption(cmd)
  cmd.addHelpText(
    'after',
    `
Then set INDEXER_FEED_PUBLISHER_DID to your DID on the indexer, so it answers for this feed.

Examples:
  $ donottrain feed publish --indexer https://indexer.example.com
  $ donottrain feed publish --service-did did:web:indexer.example.com --name "No AI training"`,
  )
  cmd.action(async (opts: FeedPublishOptions) => {
    const out = ctx.output(opts)
    if (!opts.indexer === !opts.serviceDid) throw new UsageError('give --indexer or --service-did (one of them)')
    const serviceDid = opts.serviceDid ?? (await indexerDid(opts.indexer as string))
    if (!isValidDid(serviceDid)) throw new UsageError(`not a DID: ${serviceDid}`)
    const client = await ctx.client(opts)
    const res = await client.publishFeedGenerator({
      serviceDid,
      ...(opts.name !== undefined && { displayName: opts.name }),
      ...(opts.description !== undefined && { description: opts.description }),
    })
    out.result(
      [
        `published feed ${res.uri}`,
        `  served by ${serviceDid}`,
        `  on the indexer: INDEXER_FEED_PUBLISHER_DID=${client.did}`,
      ],
      { uri: res.uri, cid: res.cid, serviceDid, publisherDid: client.did },
    )
  })
}

async function indexerDid(indexer: string): Promise<string> {
  const url = new URL('/.well-known/did.json', indexer)
  let res: Response
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(10_000) })
  } catch (err) {
    throw new CliError(`could not reach the indexer at ${url.origin}: ${(err as Error).message}`)
  }
  if (!res.ok) throw new CliError(`the indexer has no did.json (status ${res.status}) at ${url}`)
  const doc = (await res.json().catch(() => null)) as { id?: unknown } | null
  if (typeof doc?.id !== 'string') throw new CliError(`the indexer's did.json has no id at ${url}`)
  return doc.id
}
