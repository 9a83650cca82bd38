import type { RevokeTarget } from '@donottrain/client'
import type { Command } from 'commander'
import { type CliContext, type CommonOptions, jsonOption, plcOption } from '../context.js'
import { UsageError } from '../io.js'
import { describeScope, type ScopeFlags, scopeFromFlags, scopeOptions } from '../scope-flags.js'

interface RevokeOptions extends CommonOptions, ScopeFlags {
  rkey?: string
  all?: boolean
}

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('revoke')
    .description('take a declaration back (delete it); with no options: the account-wide one')
  scopeOptions(cmd, 'revoke the declaration on')
    .option('--rkey <rkey>', 'revoke the declaration with this record key (see `donottrain list`)')
    .option('--all', 'revoke every declaration of the account')
  plcOption(cmd)
  jsonOption(cmd)
  cmd.addHelpText(
    'after',
    `
Revoking what is not there changes nothing and is not an error.

Examples:
  $ donottrain revoke
  $ donottrain revoke --post at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.post/3l2s5xxv2ze2c
  $ donottrain revoke --collection app.bsky.feed.post
  $ donottrain revoke --rkey 3l2s5y2abc22x
  $ donottrain revoke --all`,
  )
  cmd.action(async (opts: RevokeOptions) => {
    const out = ctx.output(opts)
    const scope = scopeFromFlags(opts)
    const picked = [opts.rkey !== undefined, opts.all === true, scope.type !== 'account'].filter(Boolean).length
    if (picked > 1) throw new UsageError('choose one of a scope option, --rkey and --all')
    const target: RevokeTarget = opts.all ? { all: true } : opts.rkey !== undefined ? { rkey: opts.rkey } : scope
    const what = opts.all ? 'any declaration' : opts.rkey !== undefined ? `rkey ${opts.rkey}` : describeScope(scope)
    const client = await ctx.client(opts)
    const res = await client.revoke(target)
    const lines =
      res.revoked.length === 0
        ? [`nothing to revoke: no declaration for ${what}`]
        : [`revoked ${res.revoked.length} declaration(s):`, ...res.revoked.map((r) => `  ${r.uri}`)]
    out.result(lines, res)
  })
}
