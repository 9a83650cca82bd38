import type { PreferencesInput } from '@donottrain/client'
import type { Purpose } from '@donottrain/lexicon'
import type { Command } from 'commander'
import { type CliContext, type CommonOptions, jsonOption, plcOption } from '../context.js'
import { formatPreferences, formatScope } from '../format.js'
import { UsageError } from '../io.js'
import { collectPurposes, type ScopeFlags, scopeFromFlags, scopeOptions } from '../scope-flags.js'

interface DeclareOptions extends CommonOptions, ScopeFlags {
  allow?: Purpose[]
  deny?: Purpose[]
  statement?: string
  licenseUri?: string
  force?: boolean
}

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('declare')
    .description('publish (or update) a #donottrain declaration; with no options: the whole account, trainAi=deny')
  scopeOptions(cmd, 'declare on')
    .option('--deny <purpose...>', 'purposes to deny: trainAi, trainGenai, aiInput, search, or all', collectPurposes)
    .option('--allow <purpose...>', 'purposes to allow', collectPurposes)
    .option('--statement <text>', 'a short statement shown to people (≤ 300 characters)')
    .option('--license-uri <uri>', 'https:// or mailto: address where AI builders can ask for a licence')
    .option('--force', 'with --origin: publish even if the origin cannot be verified as yours')
  plcOption(cmd)
  jsonOption(cmd)
  cmd.addHelpText(
    'after',
    `
Declaring the same scope again replaces that declaration (never a duplicate); declaring
exactly the same thing again changes nothing. Without --deny/--allow the declaration is a
plain #donottrain: trainAi=deny (which also covers trainGenai).

Examples:
  $ donottrain declare
  $ donottrain declare --deny trainAi aiInput --allow search --statement "Ask me first."
  $ donottrain declare --post https://bsky.app/profile/alice.bsky.social/post/3l2s5xxv2ze2c --deny all
  $ donottrain declare --collection app.bsky.feed.post --deny trainGenai
  $ donottrain declare --origin https://alice.example.com --license-uri https://alice.example.com/licensing`,
  )
  cmd.action(async (opts: DeclareOptions) => {
    const out = ctx.output(opts)
    const scope = scopeFromFlags(opts)
    if (opts.force && scope.type !== 'origin') throw new UsageError('--force only applies to --origin')
    const preferences = preferencesFrom(opts)
    const client = await ctx.client(opts)
    const res = await client.declare({
      scope,
      ...(preferences ? { preferences } : {}),
      ...(opts.statement !== undefined ? { statement: opts.statement } : {}),
      ...(opts.licenseUri !== undefined ? { licenseUri: opts.licenseUri } : {}),
      ...(opts.force ? { force: true } : {}),
    })
    const lines = [
      `${res.action === 'unchanged' ? 'already declared' : res.action}: ${formatScope(res.scope)} ${formatPreferences(res.record.preferences)}`,
      `  uri ${res.uri}`,
      `  cid ${res.cid}`,
    ]
    if (res.scope.type === 'origin') {
      lines.push(
        res.origin
          ? `  origin verified: ${res.origin.via === 'handle' ? 'its host is your handle' : 'it serves your DID at /.well-known/atproto-did'}`
          : '  origin NOT verified (published with --force): indexers ignore it until it verifies',
      )
    }
    out.result(lines, res)
  })
}

function preferencesFrom(opts: DeclareOptions): PreferencesInput | undefined {
  const deny = opts.deny ?? []
  const allow = opts.allow ?? []
  if (deny.length === 0 && allow.length === 0) return undefined
  const both = deny.filter((p) => allow.includes(p))
  if (both.length > 0)
    throw new UsageError(`a purpose cannot be both allowed and denied: ${[...new Set(both)].join(', ')}`)
  const prefs: PreferencesInput = {}
  for (const p of deny) prefs[p] = 'deny'
  for (const p of allow) prefs[p] = 'allow'
  return prefs
}
