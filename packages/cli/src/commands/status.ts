import { status } from '@donottrain/client'
import { PURPOSES } from '@donottrain/lexicon'
import type { Command } from 'commander'
import { type CliContext, type CommonOptions, jsonOption, plcOption, serviceOption } from '../context.js'
import { formatPreferences, formatScope } from '../format.js'
import { UsageError } from '../io.js'
import { readSession } from '../session-store.js'

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('status')
    .description("show anyone's #donottrain verdict, read straight from their PDS (no indexer)")
    .argument('[subject]', 'handle, DID, at:// URI or bsky.app URL (default: you, when signed in)')
  serviceOption(cmd, 'a PDS to resolve handles through when DNS does not know them')
  plcOption(cmd)
  jsonOption(cmd)
  cmd.addHelpText(
    'after',
    `
The verdict per purpose is deny, allow or unknown: every declaration that applies (account,
collection, record) counts, and any deny wins.

Examples:
  $ donottrain status alice.bsky.social
  $ donottrain status did:plc:ewvi7nxzyoun6zhxrhs64oiz --json
  $ donottrain status https://bsky.app/profile/alice.bsky.social/post/3l2s5xxv2ze2c`,
  )
  cmd.action(async (subjectArg: string | undefined, opts: CommonOptions) => {
    const out = ctx.output(opts)
    const subject = subjectArg ?? readSession(ctx.config.configDir)?.did
    if (!subject) throw new UsageError('name a handle, DID or URL (or sign in to see your own status)')
    const service = ctx.service(opts)
    const plcUrl = ctx.plcUrl(opts)
    const res = await status(subject, { ...(service ? { service } : {}), ...(plcUrl ? { plcUrl } : {}) })
    const who = res.subject.handle ? `@${res.subject.handle} (${res.subject.did})` : res.subject.did
    const what = res.subject.kind === 'account' ? who : `${res.subject.uri ?? res.subject.collection} of ${who}`
    const width = Math.max(...PURPOSES.map((p) => p.length))
    const lines = [what, ...PURPOSES.map((p) => `  ${p.padEnd(width)}  ${res.verdict[p]}`)]
    if (res.declarations.length > 0) {
      lines.push('declarations:')
      for (const d of res.declarations) {
        const mark = d.applies ? '*' : ' '
        const note = d.scope.type === 'origin' ? '  (origin: verified by indexers, not here)' : ''
        lines.push(`  ${mark} ${formatScope(d.scope)}  ${formatPreferences(d.preferences)}  [${d.source}]${note}`)
      }
      lines.push('  (* applies here)')
    } else {
      lines.push('no declarations')
    }
    if (res.invalid.length > 0) lines.push(`${res.invalid.length} invalid record(s) ignored`)
    out.result(lines, res)
  })
}
