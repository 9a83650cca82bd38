import type { Command } from 'commander'
import { type CliContext, type CommonOptions, jsonOption } from '../context.js'

interface PostOptions extends CommonOptions {
  donottrain?: boolean
  lang?: string[]
}

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('post')
    .description('publish a Bluesky post; --donottrain makes sure it carries a #donottrain tag')
    .argument('<text>', 'the post text (≤ 300 characters)')
    .option('--donottrain', 'add #donottrain (as a proper hashtag) unless the text has it')
    .option('--lang <code...>', 'language(s) of the text, e.g. en')
  jsonOption(cmd)
  cmd.addHelpText(
    'after',
    `
Examples:
  $ donottrain post "My drawings are not training data." --donottrain
  $ donottrain post "Meine Bilder 🎨 #donottrain" --lang de`,
  )
  cmd.action(async (text: string, opts: PostOptions) => {
    const out = ctx.output(opts)
    const client = await ctx.client(opts)
    const res = await client.post(text, {
      ...(opts.donottrain ? { donottrain: true } : {}),
      ...(opts.lang ? { langs: opts.lang } : {}),
    })
    out.result([`posted: ${res.text}`, `  uri ${res.uri}`], res)
  })
}
