import { CommanderError } from 'commander'
import { readConfig } from './config.js'
import { CliContext } from './context.js'
import { EXIT, type ExitCode, type Io } from './io.js'
import { reportError } from './output.js'
import { buildProgram } from './program.js'

/** Runs one `donottrain` command line and returns its exit code (0 ok, 1 failure, 2 usage, 3 denied). */
export async function run(argv: string[], io: Io): Promise<ExitCode> {
  const json = argv.includes('--json')
  let program: ReturnType<typeof buildProgram>
  let ctx: CliContext
  try {
    ctx = new CliContext(io, readConfig(io.env))
    program = buildProgram(ctx)
  } catch (err) {
    return reportError(io, err, json)
  }
  if (argv.length === 0) {
    io.stderr.write(program.helpInformation())
    return EXIT.usage
  }
  try {
    await program.parseAsync(argv, { from: 'user' })
    return ctx.exitCode
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed its message (or the help / version).
      const done = ['commander.helpDisplayed', 'commander.version'].includes(err.code)
      if (done || (err.code === 'commander.help' && err.exitCode === 0)) return EXIT.ok
      return EXIT.usage
    }
    return reportError(io, err, json)
  }
}
