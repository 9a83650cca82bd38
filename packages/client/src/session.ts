import { AtpAgent, type AtpSessionData, type AtpSessionEvent } from '@atproto/api'
import { isValidDid, isValidHandle } from '@donottrain/lexicon'
import { DonottrainClient } from './client.js'
import { AccountDeactivatedError, AppPasswordRequiredError, InvalidInputError, SessionExpiredError } from './errors.js'
import { createIdentityResolver, type IdentityResolver, resolveActor } from './resolve.js'
import { call, DEFAULT_TIMEOUT_MS, timedFetch } from './xrpc.js'

/** A session as it can be saved and resumed: the PDS it talks to and its tokens. */
export interface StoredSession {
  /** The PDS URL. */
  service: string
  did: string
  handle: string
  accessJwt: string
  refreshJwt: string
  email?: string
  emailConfirmed?: boolean
  emailAuthFactor?: boolean
  active: boolean
  status?: string
}

export interface ClientOptions {
  /** Identity resolver (default: createIdentityResolver() with `plcUrl` and `allowLoopback`). */
  resolver?: IdentityResolver
  /** PLC directory for the default resolver (default https://plc.directory). */
  plcUrl?: string
  /**
   * Tests and local dev only: the default resolver may fetch did:web documents and handle
   * well-knowns from loopback (a configured `plcUrl` or `service` is reachable regardless).
   */
  allowLoopback?: boolean
  /** fetch for every request the client makes itself: XRPC and origin checks. */
  fetch?: typeof globalThis.fetch
  /** Per-request timeout to the PDS in milliseconds (default 15000). */
  timeoutMs?: number
  /** Timeout of an origin's /.well-known/atproto-did check (default 5000). */
  originTimeoutMs?: number
  /**
   * Called whenever the tokens change (login, refresh) with the session to save, and with
   * undefined when the session ended (logout, revoked). Save synchronously: the client
   * does not wait for a returned promise, and ignores what the callback throws.
   */
  onSessionChange?: (session: StoredSession | undefined) => void
}

export interface LoginOptions extends ClientOptions {
  /** Handle, DID, or (with `service`) the account's email. */
  identifier: string
  /** An app password (recommended) or the account password. */
  password: string
  /** The sign-in code the server emailed after AuthFactorTokenRequiredError. */
  authFactorToken?: string
  /**
   * Sign in at this PDS (or entryway) instead of the one the identity resolves to: for
   * self-hosters, tests, and email identifiers. Handles it hosts are resolved through it too.
   */
  service?: string
  /** Refuse a session made with the account's main password (AppPasswordRequiredError). */
  requireAppPassword?: boolean
}

/**
 * Signs in: resolves handle → DID → DID document → PDS (or uses `service`), then creates a
 * session there. Never assumes bsky.social.
 */
export async function login(opts: LoginOptions): Promise<DonottrainClient> {
  const identifier = opts.identifier.trim().replace(/^@/, '')
  const resolver = opts.resolver ?? defaultResolver(opts, opts.service)
  let service = opts.service
  if (!service) {
    if (!isValidDid(identifier) && !isValidHandle(identifier)) {
      throw new InvalidInputError(`identifier must be a handle or did, or pass a service identifier=${identifier}`)
    }
    service = (await resolveActor(resolver, identifier)).pds
  }
  const agent = makeAgent(service, opts)
  const res = await call(service, 'login', () =>
    agent.login({
      identifier,
      password: opts.password,
      ...(opts.authFactorToken ? { authFactorToken: opts.authFactorToken } : {}),
    }),
  )
  if (res.data.active === false) {
    await agent.logout()
    const status = res.data.status ?? 'deactivated'
    throw new AccountDeactivatedError(status, `account ${status} did=${res.data.did}, reactivate it first`)
  }
  const client = new DonottrainClient(agent, resolver, opts)
  if (opts.requireAppPassword && client.passwordKind === 'account') {
    await agent.logout()
    throw new AppPasswordRequiredError(
      `signed in with the account password where an app password is required did=${res.data.did}`,
    )
  }
  return client
}

/** Resumes a saved session (refreshing its tokens); SessionExpiredError when it was revoked. */
export async function resumeSession(session: StoredSession, opts: ClientOptions = {}): Promise<DonottrainClient> {
  const { service, ...data } = session
  const agent = makeAgent(service, opts)
  await call(service, 'session', () => agent.resumeSession(data))
  if (!agent.session) throw new SessionExpiredError(`session expired, sign in again did=${session.did}`)
  return new DonottrainClient(agent, opts.resolver ?? defaultResolver(opts, service), opts)
}

function defaultResolver(opts: ClientOptions, handleService: string | undefined): IdentityResolver {
  return createIdentityResolver({
    timeoutMs: Math.min(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, 10_000),
    ...(opts.plcUrl ? { plcUrl: opts.plcUrl } : {}),
    ...(opts.allowLoopback ? { allowLoopback: true } : {}),
    ...(handleService ? { handleService } : {}),
  })
}

function makeAgent(service: string, opts: ClientOptions): AtpAgent {
  const onChange = opts.onSessionChange
  return new AtpAgent({
    service,
    fetch: timedFetch(opts.fetch ?? globalThis.fetch, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    ...(onChange
      ? {
          persistSession: (evt: AtpSessionEvent, data: AtpSessionData | undefined) => {
            if (evt === 'network-error' || evt === 'create-failed') return
            try {
              onChange(data && evt !== 'expired' ? toStored(service, data) : undefined)
            } catch {
              // The caller's storage failing must not break the request that refreshed the tokens.
            }
          },
        }
      : {}),
  })
}

export function toStored(service: string, data: AtpSessionData): StoredSession {
  return { service, ...data }
}
