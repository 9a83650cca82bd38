import { type $Typed, ids as atprotoIds, type ComAtprotoAdminDefs } from '@atproto/api'
import { type LocalNetwork, startLocalNetwork } from '@donottrain/test'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  AccountDeactivatedError,
  AppPasswordRequiredError,
  IdentityNotFoundError,
  InvalidCredentialsError,
  PdsUnreachableError,
  SessionExpiredError,
} from './errors.js'
import { login, resumeSession, type StoredSession } from './session.js'
import { closedPort, headCommit, rawListRecords } from './test-util.js'

describe('login', () => {
  let net: LocalNetwork

  beforeAll(async () => {
    net = await startLocalNetwork()
  })
  afterAll(async () => {
    await net?.close()
  })

  it('resolves a DID through the PLC directory to its PDS, with no service given', async () => {
    const alice = await net.createAccount('alice')
    const client = await login({ identifier: alice.did, password: alice.password, plcUrl: net.plcUrl })
    expect(client.did).toBe(alice.did)
    expect(client.handle).toBe('alice.test')
    expect(client.service).toBe(net.pdsUrl)
    expect(client.passwordKind).toBe('account')
  })

  it('signs in with a handle at an explicit service', async () => {
    const bob = await net.createAccount('bob')
    const client = await login({ identifier: '@bob.test', password: bob.password, service: net.pdsUrl })
    expect(client.did).toBe(bob.did)
  })

  it('does not fall back to any default PDS when a handle does not resolve', async () => {
    const carl = await net.createAccount('carl')
    // No service: the handle cannot resolve (.test is not in DNS) and nothing falls back to bsky.social.
    const err = await login({ identifier: 'carl.test', password: carl.password, plcUrl: net.plcUrl }).catch((e) => e)
    expect(err).toBeInstanceOf(IdentityNotFoundError)
    expect(err.message).toMatch(/handle does not resolve handle=carl.test/)
  })

  it('refuses a wrong password with InvalidCredentialsError, and writes nothing', async () => {
    const dora = await net.createAccount('dora')
    const head = await headCommit(net.pdsUrl, dora.did)
    const err = await login({ identifier: dora.did, password: 'wrong', plcUrl: net.plcUrl }).catch((e) => e)
    expect(err).toBeInstanceOf(InvalidCredentialsError)
    expect(err.code).toBe('InvalidCredentials')
    expect(err.message).toMatch(/^wrong identifier or password /)
    expect(await headCommit(net.pdsUrl, dora.did)).toBe(head)
    expect(await rawListRecords(net.pdsUrl, dora.did)).toEqual([])
  })

  it('reports a PDS that does not answer as PdsUnreachableError', async () => {
    const port = await closedPort()
    const service = `http://127.0.0.1:${port}`
    const err = await login({ identifier: 'x.test', password: 'pw', service }).catch((e) => e)
    expect(err).toBeInstanceOf(PdsUnreachableError)
    expect(err.message).toContain(`service=${service}`)
    expect(err.message).toMatch(/ECONNREFUSED/)
  })

  it('tells app passwords from the account password, and can insist on an app password', async () => {
    const erin = await net.createAccount('erin')
    const app = await erin.agent.com.atproto.server.createAppPassword({ name: 'donottrain' })
    const err = await login({
      identifier: erin.did,
      password: erin.password,
      plcUrl: net.plcUrl,
      requireAppPassword: true,
    }).catch((e) => e)
    expect(err).toBeInstanceOf(AppPasswordRequiredError)
    const client = await login({
      identifier: erin.did,
      password: app.data.password,
      plcUrl: net.plcUrl,
      requireAppPassword: true,
    })
    expect(client.passwordKind).toBe('app')
    const declared = await client.declare()
    expect(declared.action).toBe('created')
  })

  it('refuses a deactivated account with AccountDeactivatedError', async () => {
    const fay = await net.createAccount('fay')
    await fay.agent.com.atproto.server.deactivateAccount({})
    const err = await login({ identifier: fay.did, password: fay.password, plcUrl: net.plcUrl }).catch((e) => e)
    expect(err).toBeInstanceOf(AccountDeactivatedError)
    expect(err.status).toBe('deactivated')
  })

  it('refuses a taken-down account with AccountDeactivatedError', async () => {
    const gus = await net.createAccount('gus')
    await net.agent().com.atproto.admin.updateSubjectStatus(
      {
        subject: {
          $type: `${atprotoIds.ComAtprotoAdminDefs}#repoRef`,
          did: gus.did,
        } as $Typed<ComAtprotoAdminDefs.RepoRef>,
        takedown: { applied: true, ref: 'test' },
      },
      { encoding: 'application/json', headers: net.adminHeaders() },
    )
    const err = await login({ identifier: gus.did, password: gus.password, plcUrl: net.plcUrl }).catch((e) => e)
    expect(err).toBeInstanceOf(AccountDeactivatedError)
    expect(err.status).toBe('takendown')
  })
})

describe('resumeSession', () => {
  let net: LocalNetwork

  beforeAll(async () => {
    net = await startLocalNetwork()
  })
  afterAll(async () => {
    await net?.close()
  })

  it('resumes saved tokens, reports the refreshed ones, and fails once logged out', async () => {
    const hana = await net.createAccount('hana')
    const saved: Array<StoredSession | undefined> = []
    const first = await login({ identifier: hana.did, password: hana.password, plcUrl: net.plcUrl })
    const stored = first.session
    expect(stored).toMatchObject({ service: net.pdsUrl, did: hana.did, handle: 'hana.test' })

    const resumed = await resumeSession(stored, { plcUrl: net.plcUrl, onSessionChange: (s) => saved.push(s) })
    expect(resumed.did).toBe(hana.did)
    // Resuming refreshes: the refresh token rotates and the caller is told to save the new one.
    expect(saved.at(-1)?.refreshJwt).toBeDefined()
    expect(saved.at(-1)?.refreshJwt).not.toBe(stored.refreshJwt)
    expect((await resumed.declare()).action).toBe('created')

    const latest = resumed.session
    expect(latest).toEqual(saved.at(-1))
    await resumed.logout()
    expect(saved.at(-1)).toBeUndefined()
    const err = await resumeSession(latest, { plcUrl: net.plcUrl }).catch((e) => e)
    expect(err).toBeInstanceOf(SessionExpiredError)
    expect(err.code).toBe('SessionExpired')
  })
})
