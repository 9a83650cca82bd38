import { XRPCError } from '@atproto/api'
import {
  AccountDeactivatedError,
  AppPasswordRequiredError,
  AuthFactorTokenRequiredError,
  DonottrainClientError,
  InvalidCredentialsError,
  PdsRequestError,
  PdsUnreachableError,
  SessionExpiredError,
  SwapConflictError,
} from './errors.js'

// XRPC error names as the PDS and the Bluesky entryway send them (the `error` field of the
// response body). They are response codes, not NSIDs.
const ACCOUNT_STATUS_ERRORS: Record<string, string> = {
  AccountTakedown: 'takendown',
  RepoTakendown: 'takendown',
  AccountDeactivated: 'deactivated',
  RepoDeactivated: 'deactivated',
  AccountSuspended: 'suspended',
  RepoSuspended: 'suspended',
}
const SESSION_ERRORS = new Set(['ExpiredToken', 'InvalidToken'])
// "please use an app password", "an app password is required", "requires an app-password"...
const APP_PASSWORD_MESSAGE =
  /\b(use|using|requires?|needs?|needed|required)\b.{0,20}\bapp[ -]?passwords?\b|\bapp[ -]?passwords? (is |are )?(required|needed)/i
// @atproto/xrpc's ResponseType.Unknown: the request never got an HTTP response.
const NO_RESPONSE = 1

export type XrpcContext = 'login' | 'session' | 'write' | 'read'

/**
 * Turns what @atproto/api throws into the client's typed errors. `context` disambiguates the
 * one code that means different things: a 401 at login is a wrong password, elsewhere an
 * expired session.
 *
 * App password detection: the reference PDS accepts the account's main password and app
 * passwords alike. Servers that insist on an app password answer with an error whose name or
 * message mentions it (e.g. `AppPasswordRequired`, "please use an app password"); that shape
 * is recognised here. `requireAppPassword` on login covers the rest from the token's scope.
 */
export function toClientError(err: unknown, service: string, context: XrpcContext): Error {
  if (err instanceof DonottrainClientError) return err
  if (!(err instanceof XRPCError)) return err instanceof Error ? err : new Error(String(err))
  const name = err.error
  const detail = `service=${service} error=${name} message=${JSON.stringify(err.message)}`
  if (err.status === NO_RESPONSE) {
    return new PdsUnreachableError(service, `pds unreachable service=${service} reason=${reasonOf(err)}`, {
      cause: err,
    })
  }
  if (name === 'AuthFactorTokenRequired') {
    return new AuthFactorTokenRequiredError(`sign-in code required (sent by email) ${detail}`, { cause: err })
  }
  if (/app_?password/i.test(name ?? '') || APP_PASSWORD_MESSAGE.test(err.message)) {
    return new AppPasswordRequiredError(`app password required ${detail}`, { cause: err })
  }
  const status = name ? ACCOUNT_STATUS_ERRORS[name] : undefined
  if (status) return new AccountDeactivatedError(status, `account ${status} ${detail}`, { cause: err })
  if (name === 'InvalidSwap') {
    return new SwapConflictError(`record changed since it was read, read it again and retry ${detail}`, {
      cause: err,
    })
  }
  if (context === 'login' && err.status === 401) {
    return new InvalidCredentialsError(`wrong identifier or password ${detail}`, { cause: err })
  }
  if (context !== 'login' && (SESSION_ERRORS.has(name ?? '') || err.status === 401)) {
    return new SessionExpiredError(`session expired or revoked, sign in again ${detail}`, { cause: err })
  }
  return new PdsRequestError(err.status, name, `pds request failed status=${err.status} ${detail}`, { cause: err })
}

function reasonOf(err: XRPCError): string {
  const cause = err.cause as { name?: string; cause?: { code?: string } } | undefined
  if (cause?.name === 'TimeoutError' || cause?.name === 'AbortError') return 'timeout'
  return cause?.cause?.code ?? cause?.name ?? 'network'
}
