import { type DonottrainClientError, isClientError } from '@donottrain/client'
import { CommanderError } from 'commander'
import { CliError, EXIT, type ExitCode, type Io } from './io.js'

/** Prints a command's result: human text by default, JSON with --json. */
export class Output {
  constructor(
    private readonly io: Io,
    readonly json: boolean,
  ) {}

  /** The result: `human` lines for people, `data` for --json. */
  result(human: string | string[], data: unknown): void {
    if (this.json) this.io.stdout.write(`${JSON.stringify(data, null, 2)}\n`)
    else this.io.stdout.write(`${Array.isArray(human) ? human.join('\n') : human}\n`)
  }

  /** A side remark for people (stderr); not printed with --json. */
  note(text: string): void {
    if (!this.json) this.io.stderr.write(`${text}\n`)
  }
}

// Input the user typed wrong: exit code 2, like a command-line error.
const USAGE_CODES = new Set(['InvalidPurpose', 'InvalidOrigin', 'InvalidInput'])

/** Prints an error for people (or as JSON) and returns the exit code it means. */
export function reportError(io: Io, err: unknown, json: boolean): ExitCode {
  const { code, message, hint, exitCode } = describe(err)
  if (json) {
    io.stdout.write(`${JSON.stringify({ error: { code, message, ...(hint ? { hint } : {}) } }, null, 2)}\n`)
  } else {
    io.stderr.write(hint ? `error: ${hint}\n  (${code}: ${message})\n` : `error: ${message}\n`)
  }
  return exitCode
}

function describe(err: unknown): { code: string; message: string; hint?: string; exitCode: ExitCode } {
  if (isClientError(err)) {
    return {
      code: err.code,
      message: err.message,
      hint: hintFor(err),
      exitCode: USAGE_CODES.has(err.code) ? EXIT.usage : EXIT.failure,
    }
  }
  if (err instanceof CliError) return { code: err.code, message: err.message, exitCode: err.exitCode }
  if (err instanceof CommanderError) return { code: 'Usage', message: err.message, exitCode: EXIT.usage }
  const e = err instanceof Error ? err : new Error(String(err))
  return { code: 'Internal', message: `unexpected error: ${e.message}`, exitCode: EXIT.failure }
}

const APP_PASSWORDS = 'Bluesky: Settings → Privacy and security → App passwords'

function hintFor(err: DonottrainClientError): string | undefined {
  switch (err.code) {
    case 'InvalidCredentials':
      return `wrong handle or password. Use an app password (${APP_PASSWORDS}).`
    case 'AuthFactorTokenRequired':
      return 'your server emailed you a sign-in code: run login again with --code <code>, or use an app password, which needs no code.'
    case 'AppPasswordRequired':
      return `this needs an app password, not your account password (${APP_PASSWORDS}).`
    case 'AccountDeactivated':
      return 'this account is deactivated, suspended or taken down, so it cannot publish. Reactivate it first.'
    case 'SessionExpired':
      return 'your session has expired or was revoked: run `donottrain login` again.'
    case 'PdsUnreachable':
      return 'could not reach the PDS. Check your connection, or the --service / DONOTTRAIN_SERVICE URL.'
    case 'PdsError':
      return 'the PDS refused the request.'
    case 'IdentityNotFound':
      return 'could not find that account. Check the handle; for a self-hosted PDS pass --service (and --plc).'
    case 'InvalidPurpose':
      return 'purposes are trainAi, trainGenai, aiInput and search.'
    case 'RecordNotFound':
      return 'that record does not exist in your repository.'
    case 'ForeignRecord':
      return 'you can only declare on records in your own account.'
    case 'InvalidOrigin':
      return 'an origin is https://host or https://host:port, with no path and no trailing slash.'
    case 'OriginNotBound':
      return 'the site is not bound to your account: its host must be your handle, or https://<site>/.well-known/atproto-did must contain your DID. Use --force to publish it unverified (indexers ignore it until it verifies).'
    case 'SwapConflict':
      return 'the record was changed from somewhere else at the same moment; run the command again.'
    default:
      return undefined
  }
}
