import { type LocalNetwork, startLocalNetwork } from '@donottrain/test'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { IdentityNotFoundError, PdsRequestError } from './errors.js'
import { createIdentityResolver, resolveActor } from './resolve.js'
import { status } from './status.js'
import { startHttpServer, type TestHttpServer } from './test-util.js'

// The client resolves identities with @donottrain/verifier's shared resolver: a configured PLC
// directory may be local, but hosts named by DIDs and handles must not reach loopback unless
// the caller says this is a dev setup (allowLoopback).

let net: LocalNetwork
let didWeb: TestHttpServer
let did = ''

beforeAll(async () => {
  net = await startLocalNetwork()
  didWeb = await startHttpServer((req, res) => {
    if (req.url !== '/.well-known/did.json') {
      res.statusCode = 404
      res.end()
      return
    }
    res.setHeader('content-type', 'application/json')
    res.end(
      JSON.stringify({
        '@context': ['https://www.w3.org/ns/did/v1'],
        id: did,
        alsoKnownAs: ['at://web.example.com'],
        verificationMethod: [],
        service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: net.pdsUrl }],
      }),
    )
  })
  did = `did:web:localhost%3A${didWeb.port}`
})
afterAll(async () => {
  await didWeb?.close()
  await net?.close()
})

describe('createIdentityResolver', () => {
  it('resolves a did:plc through a configured local PLC directory, without allowLoopback', async () => {
    const alice = await net.createAccount('alice')
    const resolver = createIdentityResolver({ plcUrl: net.plcUrl })
    expect(await resolver.resolveDid(alice.did)).toEqual({ did: alice.did, pds: net.pdsUrl, handle: 'alice.test' })
    expect(await resolver.resolveDid('did:plc:aaaaaaaaaaaaaaaaaaaaaaaa')).toBeUndefined()
  })

  it('refuses a did:web on loopback by default, and reads it with allowLoopback', async () => {
    const before = didWeb.requests.length
    expect(await createIdentityResolver().resolveDid(did)).toBeUndefined()
    expect(didWeb.requests.length).toBe(before)
    const dev = createIdentityResolver({ allowLoopback: true })
    expect(await dev.resolveDid(did)).toEqual({ did, pds: net.pdsUrl, handle: 'web.example.com' })
    expect(didWeb.requests.length).toBe(before + 1)
  })

  it('reports an unreachable PLC directory as a failed lookup, not as a missing account', async () => {
    const resolver = createIdentityResolver({ plcUrl: 'http://127.0.0.1:9', timeoutMs: 2000 })
    const err = await resolveActor(resolver, 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa').catch((e) => e)
    expect(err).toBeInstanceOf(IdentityNotFoundError)
    expect(err.message).toMatch(/^identity lookup failed did=did:plc:aaaaaaaaaaaaaaaaaaaaaaaa reason=/)
  })

  it('status() takes allowLoopback for a did:web account on a local host', async () => {
    const err = await status(did, { plcUrl: net.plcUrl }).catch((e) => e)
    expect(err).toBeInstanceOf(IdentityNotFoundError)
    // resolved: the PDS in the document was asked (it holds no repository for this DID)
    const res = await status(did, { plcUrl: net.plcUrl, allowLoopback: true }).catch((e) => e)
    expect(res).toBeInstanceOf(PdsRequestError)
    expect(res.message).toContain(`service=${net.pdsUrl}`)
  })
})
