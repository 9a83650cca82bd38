import { BytesWrapper, CidLinkWrapper, encode } from '@atcute/cbor'
import { err } from '@donottrain/lexicon'
import {
  cidForDagCbor,
  cidFromString,
  cidToString,
  FetchFailedError,
  FetchTimeoutError,
  HttpStatusError,
  type KeyResolver,
  ResolveError,
  SsrfBlockedError,
  writeCar,
} from '@donottrain/verifier'
import { describe, expect, it } from 'vitest'
import type { FirehoseEvent } from '../firehose/events.js'
import { createCommitVerifier } from './verify-commit.js'

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'
const DATA = 'bafyreihjxc5gzmuwyqydm5nbsbdo5mczzogrxpypz2e3s4dxc6vzdgem4q'
const REV = '3l2s5xxv2ze2a'

function commitEvent(): Extract<FirehoseEvent, { type: 'commit' }> {
  const bytes = encode({
    did: DID,
    version: 3,
    data: new CidLinkWrapper(cidFromString(DATA) as Uint8Array),
    rev: REV,
    prev: null,
    sig: new BytesWrapper(new Uint8Array(64).fill(1)),
  })
  const cid = cidToString(cidForDagCbor(bytes))
  return {
    type: 'commit',
    seq: 1,
    repo: DID,
    rev: REV,
    since: null,
    commit: cid,
    blocks: writeCar(cid, [[cid, bytes]]),
    ops: [],
    prevData: DATA,
    time: new Date().toISOString(),
  }
}

const failing = (error: ResolveError): KeyResolver => ({ resolveAtprotoKey: async () => err(error) })
const fetchFailed = (cause: Error) => new ResolveError('FetchFailed', `did resolution failed did=${DID}`, { cause })

describe('createCommitVerifier, when the DID cannot be resolved', () => {
  it.each([
    ['the directory refuses connections', fetchFailed(new FetchFailedError('Network', 'refused'))],
    ['the directory times out', fetchFailed(new FetchTimeoutError(5000, 'timeout'))],
    ['the directory answers 503', fetchFailed(new HttpStatusError(503, 'unavailable'))],
    ['the directory answers 429', fetchFailed(new HttpStatusError(429, 'slow down'))],
  ])('defers the commit, without judging it, when %s', async (_, error) => {
    const verify = createCommitVerifier({ resolver: failing(error), maxRevSkewMs: 300_000, maxCarBytes: 1 << 20 })
    const res = await verify(commitEvent(), undefined)
    expect(res.ok).toBe(false)
    if (!res.ok) expect(res.error).toMatchObject({ reason: 'did-unavailable', retry: true })
  })

  it.each([
    ['the DID does not exist', new ResolveError('DidNotFound', 'not found')],
    ['the DID is tombstoned', new ResolveError('DidTombstoned', 'gone')],
    ['the document has no key', new ResolveError('MissingAtprotoKey', 'no key')],
    ['the did:web host is forbidden', fetchFailed(new SsrfBlockedError('ForbiddenAddress', 'private'))],
    ['the did:web host answers 404', fetchFailed(new HttpStatusError(404, 'nope'))],
  ])('rejects the commit when %s', async (_, error) => {
    const verify = createCommitVerifier({ resolver: failing(error), maxRevSkewMs: 300_000, maxCarBytes: 1 << 20 })
    const res = await verify(commitEvent(), undefined)
    expect(res.ok).toBe(false)
    if (!res.ok) {
      expect(res.error.reason).toBe('key-not-found')
      expect(res.error.retry).toBeUndefined()
    }
  })
})
