import { resumeSession } from '@donottrain/client'
import type { Command } from 'commander'
import { type CliContext, type CommonOptions, jsonOption } from '../context.js'
import { readSession, removeSession } from '../session-store.js'

export function register(program: Command, ctx: CliContext): void {
  const cmd = program.command('logout').description('end the saved session and delete it from this machine')
  jsonOption(cmd)
  cmd.addHelpText(
    'after',
    `
Examples:
  $ donottrain logout`,
  )
  cmd.action(async (opts: CommonOptions) => {
    const out = ctx.output(opts)
    const { configDir } = ctx.config
    const stored = readSession(configDir)
    if (!stored) {
      out.result('not signed in', { signedOut: false })
      return
    }
    // End the session at the PDS too; the local copy goes whatever happens there.
    let ended = true
    try {
      const client = await resumeSession(stored)
      await client.logout()
    } catch {
      ended = false
    }
    removeSession(configDir)
    if (!ended) out.note('note: the PDS could not be told (session already expired, or unreachable)')
    out.result(`signed out @${stored.handle}`, { signedOut: true, did: stored.did, endedAtPds: ended })
  })
}
