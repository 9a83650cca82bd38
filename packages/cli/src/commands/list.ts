import type { Command } from 'commander'
import { type CliContext, type CommonOptions, jsonOption } from '../context.js'
import { formatPreferences, formatScope } from '../format.js'

export function register(program: Command, ctx: CliContext): void {
  const cmd = program.command('list').description('list your declarations with their record keys, URIs and CIDs')
  jsonOption(cmd)
  cmd.addHelpText(
    'after',
    `
Examples:
  $ donottrain list
  $ donottrain list --json | jq -r '.entries[].uri'`,
  )
  cmd.action(async (opts: CommonOptions) => {
    const out = ctx.output(opts)
    const client = await ctx.client(opts)
    const list = await client.list()
    const lines =
      list.entries.length === 0
        ? [`no declarations for @${client.handle}`]
        : [
            `${list.entries.length} declaration(s) of @${client.handle}:`,
            ...list.entries.flatMap((e) => [
              e.valid
                ? `  ${e.rkey}  ${formatScope(e.scope)}  ${formatPreferences(e.preferences)}`
                : `  ${e.rkey}  INVALID (${e.error.code}): ${e.error.message}`,
              `    ${e.uri}  ${e.cid}`,
            ]),
          ]
    if (list.truncated) lines.push('(more declarations than could be listed)')
    out.result(lines, list)
  })
}
