import { type DonottrainClient, resumeSession, SessionExpiredError } from '@donottrain/client'
import { type Command, InvalidArgumentError, Option } from 'commander'
import type { CliConfig } from './config.js'
import { CliError, EXIT, type ExitCode, type Io, UsageError } from './io.js'
import { Output } from './output.js'
import { readSession, removeSession, writeSession } from './session-store.js'

/** Options every command may take. */
export interface CommonOptions {
  json?: boolean
  service?: string
  plc?: string
}

/** What a command gets: the outside world, the configuration, and helpers over both. */
export class CliContext {
  /** The exit code of a command that succeeded (a command that fails throws instead). */
  exitCode: ExitCode = EXIT.ok

  constructor(
    readonly io: Io,
    readonly config: CliConfig,
  ) {}

  output(opts: CommonOptions): Output {
    return new Output(this.io, opts.json === true)
  }

  service(opts: CommonOptions): string | undefined {
    return opts.service ?? fromEnv('DONOTTRAIN_SERVICE', this.config.service)
  }

  plcUrl(opts: CommonOptions): string | undefined {
    return opts.plc ?? fromEnv('DONOTTRAIN_PLC_URL', this.config.plcUrl)
  }

  /** The saved session, resumed; its refreshed tokens are saved back as they change. */
  async client(opts: CommonOptions): Promise<DonottrainClient> {
    const { configDir } = this.config
    const stored = readSession(configDir)
    if (!stored) throw new CliError('not signed in: run `donottrain login` first')
    const plcUrl = this.plcUrl(opts)
    try {
      return await resumeSession(stored, {
        ...(plcUrl ? { plcUrl } : {}),
        onSessionChange: (session) => {
          if (session) writeSession(configDir, session)
        },
      })
    } catch (err) {
      if (err instanceof SessionExpiredError) removeSession(configDir)
      throw err
    }
  }
}

/** --json on every command. */
export function jsonOption(cmd: Command): Command {
  return cmd.option('--json', 'print the result as JSON (for scripts)')
}

/** --plc <url> (DONOTTRAIN_PLC_URL): the PLC directory. */
export function plcOption(cmd: Command): Command {
  return cmd.addOption(
    new Option('--plc <url>', 'PLC directory URL (default https://plc.directory; env DONOTTRAIN_PLC_URL)').argParser(
      httpUrl,
    ),
  )
}

/** --service <url> (DONOTTRAIN_SERVICE): a PDS to sign in at and resolve handles through. */
export function serviceOption(cmd: Command, what: string): Command {
  return cmd.addOption(new Option('--service <url>', `${what} (env DONOTTRAIN_SERVICE)`).argParser(httpUrl))
}

function fromEnv(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  try {
    return httpUrl(value)
  } catch (err) {
    throw new UsageError(`${name}: ${(err as Error).message}`)
  }
}

export function httpUrl(value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new InvalidArgumentError(`not a URL: ${value}`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new InvalidArgumentError(`not an http(s) URL: ${value}`)
  return value.replace(/\/+$/, '')
}
