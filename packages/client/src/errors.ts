/** Every failure the client reports on purpose has one of these codes. */
export type ClientErrorCode =
  // signing in
  | 'AppPasswordRequired'
  | 'AuthFactorTokenRequired'
  | 'InvalidCredentials'
  | 'AccountDeactivated'
  | 'SessionExpired'
  // the network
  | 'PdsUnreachable'
  | 'PdsError'
  | 'IdentityNotFound'
  // declarations
  | 'InvalidPurpose'
  | 'InvalidInput'
  | 'RecordNotFound'
  | 'ForeignRecord'
  | 'InvalidOrigin'
  | 'OriginNotBound'
  | 'SwapConflict'

/** Base class of the client's errors: `code` says what went wrong, `message` is lowercase key=value. */
export class DonottrainClientError extends Error {
  override name = 'DonottrainClientError'
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/**
 * The server refused the account's main password where it wants an app password, or the caller
 * asked for `requireAppPassword` and the session was made with the main password.
 */
export class AppPasswordRequiredError extends DonottrainClientError {
  override name = 'AppPasswordRequiredError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('AppPasswordRequired', message, options)
  }
}

/** The server sent a sign-in code (email 2FA) and wants it back as `authFactorToken`. */
export class AuthFactorTokenRequiredError extends DonottrainClientError {
  override name = 'AuthFactorTokenRequiredError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('AuthFactorTokenRequired', message, options)
  }
}

/** Wrong identifier or password. */
export class InvalidCredentialsError extends DonottrainClientError {
  override name = 'InvalidCredentialsError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('InvalidCredentials', message, options)
  }
}

export type AccountStatus = 'deactivated' | 'takendown' | 'suspended' | 'deleted' | (string & {})

/** The account is deactivated, taken down or suspended: it cannot write. */
export class AccountDeactivatedError extends DonottrainClientError {
  override name = 'AccountDeactivatedError'
  constructor(
    readonly status: AccountStatus,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('AccountDeactivated', message, options)
  }
}

/** The saved session's tokens were revoked or expired: sign in again. */
export class SessionExpiredError extends DonottrainClientError {
  override name = 'SessionExpiredError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('SessionExpired', message, options)
  }
}

/** The PDS could not be reached at all (connection refused, DNS failure, timeout). */
export class PdsUnreachableError extends DonottrainClientError {
  override name = 'PdsUnreachableError'
  constructor(
    readonly service: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('PdsUnreachable', message, options)
  }
}

/** The PDS answered with an error the client has no better name for (rate limit, 5xx...). */
export class PdsRequestError extends DonottrainClientError {
  override name = 'PdsRequestError'
  constructor(
    readonly status: number,
    readonly error: string | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('PdsError', message, options)
  }
}

/** A handle or DID that does not resolve to an account with a PDS. */
export class IdentityNotFoundError extends DonottrainClientError {
  override name = 'IdentityNotFoundError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('IdentityNotFound', message, options)
  }
}

/** A preference names a purpose the protocol does not have, or a value other than allow/deny. */
export class InvalidPurposeError extends DonottrainClientError {
  override name = 'InvalidPurposeError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('InvalidPurpose', message, options)
  }
}

/** Input the protocol cannot hold: a bad collection NSID or record URI, a too-long statement... */
export class InvalidInputError extends DonottrainClientError {
  override name = 'InvalidInputError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('InvalidInput', message, options)
  }
}

/** A record-scope subject (or a declaration to revoke) that does not exist. */
export class RecordNotFoundError extends DonottrainClientError {
  override name = 'RecordNotFoundError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('RecordNotFound', message, options)
  }
}

/** A record-scope subject in another account's repository. */
export class ForeignRecordError extends DonottrainClientError {
  override name = 'ForeignRecordError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('ForeignRecord', message, options)
  }
}

/** An origin that is not a canonical https origin ('https://example.com'). */
export class InvalidOriginError extends DonottrainClientError {
  override name = 'InvalidOriginError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('InvalidOrigin', message, options)
  }
}

export type OriginNotBoundReason = 'mismatch' | 'status' | 'too-large' | 'unreachable'

/** The origin is neither the account's handle nor serves its DID at /.well-known/atproto-did. */
export class OriginNotBoundError extends DonottrainClientError {
  override name = 'OriginNotBoundError'
  constructor(
    readonly reason: OriginNotBoundReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('OriginNotBound', message, options)
  }
}

/** The record changed between reading it and writing it (the PDS's InvalidSwap): read again and retry. */
export class SwapConflictError extends DonottrainClientError {
  override name = 'SwapConflictError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('SwapConflict', message, options)
  }
}

export function isClientError(value: unknown): value is DonottrainClientError {
  return value instanceof DonottrainClientError
}
