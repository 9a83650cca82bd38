import { XRPCError } from '@atproto/api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  AccountDeactivatedError,
  AppPasswordRequiredError,
  AuthFactorTokenRequiredError,
  InvalidCredentialsError,
  PdsRequestError,
  PdsUnreachableError,
  SessionExpiredError,
  SwapConflictError,
} from './errors.js'
import { login } from './session.js'
import { startHttpServer, type TestHttpServer } from './test-util.js'
import { toClientError } from './xrpc-errors.js'

const S = 'https://pds.example'

describe('toClientError', () => {
  it.each([
    [
      new XRPCError(401, 'AuthFactorTokenRequired', 'A sign in code has been sent to your email address'),
      'login',
      AuthFactorTokenRequiredError,
    ],
    [new XRPCError(401, 'AuthenticationRequired', 'Invalid identifier or password'), 'login', InvalidCredentialsError],
    [new XRPCError(401, 'AccountTakedown', 'Account has been taken down'), 'login', AccountDeactivatedError],
    [new XRPCError(401, 'AccountDeactivated', 'Account is deactivated'), 'write', AccountDeactivatedError],
    [new XRPCError(400, 'InvalidSwap', 'Record was at bafy...'), 'write', SwapConflictError],
    [new XRPCError(400, 'ExpiredToken', 'Token has expired'), 'session', SessionExpiredError],
    [new XRPCError(401, 'AppPasswordRequired', 'nope'), 'login', AppPasswordRequiredError],
    [
      new XRPCError(401, 'AuthenticationRequired', 'Please use an app password to sign in'),
      'login',
      AppPasswordRequiredError,
    ],
    [new XRPCError(429, 'RateLimitExceeded', 'Rate Limit Exceeded'), 'write', PdsRequestError],
    [
      new XRPCError(1, undefined, 'fetch failed', undefined, { cause: new TypeError('fetch failed') }),
      'read',
      PdsUnreachableError,
    ],
  ] as const)('%s (%s) → %s', (err, context, Expected) => {
    const mapped = toClientError(err, S, context)
    expect(mapped).toBeInstanceOf(Expected)
    expect(mapped.message).toMatch(/^[a-z]/)
    expect(mapped.message).toContain(`service=${S}`)
    expect(mapped.cause).toBe(err)
  })

  it('reads the account status from the error name', () => {
    const takedown = toClientError(new XRPCError(401, 'AccountTakedown', 'x'), S, 'login')
    expect((takedown as AccountDeactivatedError).status).toBe('takendown')
    const deactivated = toClientError(new XRPCError(400, 'RepoDeactivated', 'x'), S, 'read')
    expect((deactivated as AccountDeactivatedError).status).toBe('deactivated')
  })

  it('does not call a wrong password an app password problem', () => {
    const mapped = toClientError(new XRPCError(401, 'AuthenticationRequired', 'Invalid app password'), S, 'login')
    expect(mapped).toBeInstanceOf(InvalidCredentialsError)
  })

  it('passes on errors that are not XRPC errors', () => {
    const bug = new RangeError('bug')
    expect(toClientError(bug, S, 'read')).toBe(bug)
  })
})

// A server that answers createSession the way the Bluesky entryway does for accounts with
// email 2FA, and the way a stricter server would ask for an app password.
describe('login against an entryway-style server', () => {
  let server: TestHttpServer
  let reply: { status: number; body: unknown }

  beforeAll(async () => {
    server = await startHttpServer((req, res) => {
      req.resume()
      req.on('end', () => {
        res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body))
      })
    })
  })
  afterAll(async () => {
    await server?.close()
  })

  it('surfaces AuthFactorTokenRequired', async () => {
    reply = {
      status: 401,
      body: { error: 'AuthFactorTokenRequired', message: 'A sign in code has been sent to your email address' },
    }
    const err = await login({ identifier: 'alice.example', password: 'pw', service: server.url }).catch((e) => e)
    expect(err).toBeInstanceOf(AuthFactorTokenRequiredError)
    expect(err.code).toBe('AuthFactorTokenRequired')
    expect(server.requests.at(-1)).toBe('POST /xrpc/com.atproto.server.createSession')
  })

  it('surfaces a server asking for an app password', async () => {
    reply = { status: 401, body: { error: 'AuthenticationRequired', message: 'You must use an app password' } }
    const err = await login({ identifier: 'alice.example', password: 'pw', service: server.url }).catch((e) => e)
    expect(err).toBeInstanceOf(AppPasswordRequiredError)
  })
})
