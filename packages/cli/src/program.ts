import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import * as checkCmd from './commands/check.js'
import * as declareCmd from './commands/declare.js'
import * as feedCmd from './commands/feed.js'
import * as indexCmd from './commands/index-cmd.js'
import * as listCmd from './commands/list.js'
import * as loginCmd from './commands/login.js'
import * as logoutCmd from './commands/logout.js'
import * as monitorCmd from './commands/monitor.js'
import * as postCmd from './commands/post.js'
import * as profileCmd from './commands/profile.js'
import * as revokeCmd from './commands/revoke.js'
import * as snapshotCmd from './commands/snapshot.js'
import * as statusCmd from './commands/status.js'
import * as verifyCmd from './commands/verify.js'
import type { CliContext } from './context.js'

/** One module per command, each with register(program, ctx). Later: check, verify, index, feed, snapshot, monitor. */
const COMMANDS = [
  loginCmd,
  logoutCmd,
  declareCmd,
  revokeCmd,
  listCmd,
  statusCmd,
  postCmd,
  profileCmd,
  checkCmd,
  verifyCmd,
  indexCmd,
  feedCmd,
  snapshotCmd,
  monitorCmd,
]

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('donottrain')
    .description('#donottrain on the AT Protocol: publish, see and take back your AI-training opt-out')
    .version(version(), '-V, --version')
    // Settings before the subcommands: they inherit them.
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
    })
    .showHelpAfterError('(add --help for usage)')
    .helpCommand(true)
  for (const command of COMMANDS) command.register(program, ctx)
  program.addHelpText(
    'after',
    `
Exit codes: 0 ok, 1 failed, 2 wrong usage, 3 denied (check, verify) or a log violation (monitor). Every command takes --help and --json.

Examples:
  $ donottrain login alice.bsky.social
  $ donottrain declare
  $ donottrain status alice.bsky.social`,
  )
  return program
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}
