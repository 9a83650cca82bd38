import type { Command } from 'commander'
import { type CliContext, type CommonOptions, jsonOption } from '../context.js'
import { UsageError } from '../io.js'

interface ProfileOptions extends CommonOptions {
  tag?: boolean
  untag?: boolean
}

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('profile')
    .description('add #donottrain to your profile description, or remove it; nothing else changes')
    .option('--tag', 'add #donottrain to the description')
    .option('--untag', 'remove #donottrain from the description')
  jsonOption(cmd)
  cmd.addHelpText(
    'after',
    `
Examples:
  $ donottrain profile --tag
  $ donottrain profile --untag`,
  )
  cmd.action(async (opts: ProfileOptions) => {
    const out = ctx.output(opts)
    if (opts.tag === opts.untag) throw new UsageError('choose --tag or --untag')
    const client = await ctx.client(opts)
    const res = opts.tag ? await client.tagProfile() : await client.untagProfile()
    const done = res.action === 'unchanged' ? (opts.tag ? 'already tagged' : 'no tag to remove') : 'profile updated'
    out.result([`${done}`, `  description: ${JSON.stringify(res.description)}`], res)
  })
}
