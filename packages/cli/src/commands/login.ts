import { login } from '@donottrain/client'
import type { Command } from 'commander'
import { type CliContext, type CommonOptions, jsonOption, plcOption, serviceOption } from '../context.js'
import { UsageError } from '../io.js'
import { prompt } from '../prompt.js'
import { sessionPath, writeSession } from '../session-store.js'

interface LoginOptions extends CommonOptions {
  code?: string
}

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('login')
    .description('sign in with your handle (or DID) and an app password; the session is saved for the other commands')
    .argument('[identifier]', 'your handle or DID (env DONOTTRAIN_IDENTIFIER; asked when missing)')
    .option('--code <code>', 'the sign-in code your server emailed you, if it asks for one')
  serviceOption(cmd, 'sign in at this PDS instead of the one your handle resolves to')
  plcOption(cmd)
  jsonOption(cmd)
  cmd.addHelpText(
    'after',
    `
The password is read without echo, or from DONOTTRAIN_APP_PASSWORD. Use an app password
(Bluesky: Settings → Privacy and security → App passwords), not your account password.
The session is saved to $XDG_CONFIG_HOME/donottrain/session.json (mode 0600), or under
DONOTTRAIN_CONFIG_DIR.

Examples:
  $ donottrain login alice.bsky.social
  $ DONOTTRAIN_IDENTIFIER=alice.example.com DONOTTRAIN_APP_PASSWORD=xxxx-xxxx-xxxx-xxxx donottrain login
  $ donottrain login alice.example.com --service https://pds.example.com`,
  )
  cmd.action(async (identifierArg: string | undefined, opts: LoginOptions) => {
    const out = ctx.output(opts)
    const identifier = identifierArg ?? ctx.config.identifier ?? (await prompt(ctx.io, 'Handle or DID: ')).trim()
    if (!identifier) throw new UsageError('no handle or DID given')
    const password = ctx.config.password ?? (await prompt(ctx.io, 'App password: ', { secret: true }))
    if (!password) throw new UsageError('no password given (type it when asked, or set DONOTTRAIN_APP_PASSWORD)')
    const service = ctx.service(opts)
    const plcUrl = ctx.plcUrl(opts)
    const client = await login({
      identifier,
      password,
      ...(opts.code ? { authFactorToken: opts.code } : {}),
      ...(service ? { service } : {}),
      ...(plcUrl ? { plcUrl } : {}),
    })
    writeSession(ctx.config.configDir, client.session)
    if (client.passwordKind === 'account') {
      out.note(
        'note: you signed in with your account password. An app password is safer: it can be revoked on its own.',
      )
    }
    out.result(`signed in as @${client.handle} (${client.did}) at ${client.service}`, {
      did: client.did,
      handle: client.handle,
      service: client.service,
      passwordKind: client.passwordKind,
      sessionFile: sessionPath(ctx.config.configDir),
    })
  })
}
