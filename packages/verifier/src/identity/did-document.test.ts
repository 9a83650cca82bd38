import { p256 } from '@noble/curves/nist.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { describe, expect, it } from 'vitest'
import { encodeBase58btc } from '../crypto/base58.js'
import { formatMultikey } from '../crypto/did-key.js'
import type { KeyType } from '../crypto/types.js'
import { getAtprotoKey, getHandle, getPdsEndpoint } from './atproto-fields.js'
import { type DidDocument, decodeDidDocument, parseDidDocument } from './did-document.js'

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'
const curves = { secp256k1, p256 } as const
// 0x02 then x = 0x0303…03: no secp256k1 point has this x.
const OFF_CURVE = Uint8Array.from([2, ...new Array<number>(32).fill(3)])

function keyPair(type: KeyType) {
  const secret = curves[type].utils.randomSecretKey()
  return {
    compressed: curves[type].getPublicKey(secret, true),
    uncompressed: curves[type].getPublicKey(secret, false),
  }
}

function docWith(fields: Partial<Record<keyof DidDocument, unknown>>): DidDocument {
  const res = parseDidDocument({ id: DID, ...fields }, DID)
  if (!res.ok) throw res.error
  return res.value
}

const multikeyMethod = (publicKeyMultibase: string, id = '#atproto', type = 'Multikey') => ({
  id,
  type,
  controller: DID,
  publicKeyMultibase,
})

describe('parseDidDocument', () => {
  const full = {
    '@context': ['https://www.w3.org/ns/did/v1'],
    id: DID,
    alsoKnownAs: ['at://alice.example.com'],
    verificationMethod: [multikeyMethod('zQ3shXjHeiBuRCKmM36cuYnm7YEMzhGnCmCyW92sRJ9pribSF')],
    service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: 'https://pds.example.com' }],
    extra: 'dropped',
  }

  it('keeps the atproto fields, drops the rest, and freezes the copy', () => {
    const res = parseDidDocument(full, DID)
    expect(res.ok).toBe(true)
    if (!res.ok) return
    expect(res.value).toEqual({
      id: DID,
      alsoKnownAs: full.alsoKnownAs,
      verificationMethod: full.verificationMethod,
      service: full.service,
    })
    expect(Object.isFrozen(res.value)).toBe(true)
    expect(Object.isFrozen(res.value.alsoKnownAs)).toBe(true)
    expect(Object.isFrozen(res.value.verificationMethod[0])).toBe(true)
  })

  it('reads absent arrays as empty', () => {
    const res = parseDidDocument({ id: DID }, DID)
    expect(res.ok && res.value).toEqual({ id: DID, alsoKnownAs: [], verificationMethod: [], service: [] })
  })

  it.each([
    ['another did', { ...full, id: 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa' }, 'id does not match'],
    ['a different case', { ...full, id: DID.toUpperCase() }, 'id does not match'],
    ['a trailing space', { ...full, id: `${DID} ` }, 'id does not match'],
    ['no id', { ...full, id: undefined }, 'id does not match'],
    ['alsoKnownAs not an array', { ...full, alsoKnownAs: 'at://x.com' }, 'alsoKnownAs must be an array'],
    ['alsoKnownAs with a number', { ...full, alsoKnownAs: [1] }, 'alsoKnownAs[0] must be a string'],
    [
      'a method without controller',
      { ...full, verificationMethod: [{ id: '#atproto', type: 'Multikey' }] },
      'controller',
    ],
    ['a method that is a string', { ...full, verificationMethod: ['#atproto'] }, 'must be an object'],
    ['a service without endpoint', { ...full, service: [{ id: '#atproto_pds', type: 'X' }] }, 'serviceEndpoint'],
    ['too many aliases', { ...full, alsoKnownAs: Array.from({ length: 65 }, (_, i) => `at://a${i}.com`) }, 'too many'],
    ['an overlong alias', { ...full, alsoKnownAs: [`at://${'a'.repeat(3000)}.com`] }, 'too long'],
    ['an overlong multibase', { ...full, verificationMethod: [multikeyMethod(`z${'1'.repeat(300)}`)] }, 'too long'],
  ])('refuses %s', (_name, value, reason) => {
    const res = parseDidDocument(value, DID)
    expect(res.ok).toBe(false)
    if (res.ok) return
    expect(res.error.code).toBe('InvalidDidDocument')
    expect(res.error.message).toContain(reason)
  })

  it.each([null, [], 'did', 42])('refuses a document that is not an object: %j', (value) => {
    expect(parseDidDocument(value, DID).ok).toBe(false)
  })
})

describe('decodeDidDocument', () => {
  it('parses utf-8 json and refuses malformed json or bytes', () => {
    const enc = new TextEncoder()
    expect(decodeDidDocument(enc.encode(JSON.stringify({ id: DID })), DID).ok).toBe(true)
    const bad = decodeDidDocument(enc.encode('{"id":'), DID)
    expect(!bad.ok && bad.error.message).toContain('malformed json')
    expect(decodeDidDocument(Uint8Array.from([0x7b, 0xff, 0x7d]), DID).ok).toBe(false)
  })
})

describe('getAtprotoKey', () => {
  it.each(['secp256k1', 'p256'] as const)('reads a %s Multikey', (type) => {
    const { compressed } = keyPair(type)
    const doc = docWith({ verificationMethod: [multikeyMethod(formatMultikey({ type, publicKey: compressed }))] })
    const res = getAtprotoKey(doc)
    expect(res.ok && res.value).toEqual({ type, publicKey: compressed })
  })

  it('accepts the method id as #atproto or <did>#atproto, and no other', () => {
    const { compressed } = keyPair('secp256k1')
    const multikey = formatMultikey({ type: 'secp256k1', publicKey: compressed })
    expect(getAtprotoKey(docWith({ verificationMethod: [multikeyMethod(multikey, `${DID}#atproto`)] })).ok).toBe(true)
    for (const id of ['atproto', '#atproto_label', 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa#atproto', '#ATPROTO']) {
      const res = getAtprotoKey(docWith({ verificationMethod: [multikeyMethod(multikey, id)] }))
      expect(!res.ok && res.error.code).toBe('MissingAtprotoKey')
    }
  })

  it('uses the #atproto method, not the first one', () => {
    const other = keyPair('p256').compressed
    const mine = keyPair('secp256k1').compressed
    const doc = docWith({
      verificationMethod: [
        multikeyMethod(formatMultikey({ type: 'p256', publicKey: other }), '#atproto_label'),
        multikeyMethod(formatMultikey({ type: 'secp256k1', publicKey: mine })),
      ],
    })
    const res = getAtprotoKey(doc)
    expect(res.ok && res.value.publicKey).toEqual(mine)
  })

  it.each([
    ['EcdsaSecp256k1VerificationKey2019', 'secp256k1'],
    ['EcdsaSecp256r1VerificationKey2019', 'p256'],
  ] as const)('reads a legacy %s key, uncompressed or compressed', (methodType, type) => {
    const { compressed, uncompressed } = keyPair(type)
    for (const raw of [uncompressed, compressed]) {
      const doc = docWith({ verificationMethod: [multikeyMethod(encodeBase58btc(raw), '#atproto', methodType)] })
      const res = getAtprotoKey(doc)
      expect(res.ok && res.value).toEqual({ type, publicKey: compressed })
    }
  })

  it('refuses a legacy key read on the wrong curve', () => {
    const { uncompressed } = keyPair('secp256k1')
    const doc = docWith({
      verificationMethod: [
        multikeyMethod(encodeBase58btc(uncompressed), '#atproto', 'EcdsaSecp256r1VerificationKey2019'),
      ],
    })
    expect(getAtprotoKey(doc).ok).toBe(false)
  })

  it.each([
    [
      'an unsupported type',
      multikeyMethod('zQ3shXjHeiBuRCKmM36cuYnm7YEMzhGnCmCyW92sRJ9pribSF', '#atproto', 'JsonWebKey2020'),
    ],
    ['no publicKeyMultibase', { id: '#atproto', type: 'Multikey', controller: DID }],
    ['a did:key instead of a multibase', multikeyMethod('did:key:zQ3shXjHeiBuRCKmM36cuYnm7YEMzhGnCmCyW92sRJ9pribSF')],
    ['a base32 multibase', multikeyMethod('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')],
    ['an ed25519 multikey', multikeyMethod('z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK')],
    ['garbage', multikeyMethod('z0OIl')],
    ['a point off the curve', multikeyMethod(formatMultikey({ type: 'secp256k1', publicKey: OFF_CURVE }))],
  ])('refuses %s', (_name, method) => {
    const res = getAtprotoKey(docWith({ verificationMethod: [method] }))
    expect(!res.ok && res.error.code).toBe('InvalidAtprotoKey')
  })

  it('reports a document without keys', () => {
    const res = getAtprotoKey(docWith({}))
    expect(!res.ok && res.error.code).toBe('MissingAtprotoKey')
  })
})

describe('getPdsEndpoint', () => {
  const pds = (serviceEndpoint: unknown, id = '#atproto_pds', type = 'AtprotoPersonalDataServer') =>
    docWith({ service: [{ id, type, serviceEndpoint }] })

  it('returns the endpoint as written', () => {
    expect(getPdsEndpoint(pds('https://pds.example.com'))).toBe('https://pds.example.com')
    expect(getPdsEndpoint(pds('http://localhost:2583', `${DID}#atproto_pds`))).toBe('http://localhost:2583')
  })

  it.each([
    ['the wrong type', pds('https://pds.example.com', '#atproto_pds', 'BskyFeedGenerator')],
    ['the wrong id', pds('https://pds.example.com', '#atproto_labeler')],
    ['a map endpoint', pds({ origins: ['https://pds.example.com'] })],
    ['a non-http endpoint', pds('wss://pds.example.com')],
    ['not a url', pds('pds.example.com')],
    ['credentials', pds('https://u:p@pds.example.com')],
    ['no service', docWith({})],
  ])('is undefined for %s', (_name, doc) => {
    expect(getPdsEndpoint(doc)).toBeUndefined()
  })
})

describe('getHandle', () => {
  it('returns the first at:// alias, lower-cased', () => {
    expect(getHandle(docWith({ alsoKnownAs: ['https://x.com', 'at://Alice.Example.COM', 'at://b.com'] }))).toBe(
      'alice.example.com',
    )
  })

  it('is undefined with no at:// alias, or an invalid first one', () => {
    expect(getHandle(docWith({ alsoKnownAs: ['https://alice.example.com'] }))).toBeUndefined()
    expect(getHandle(docWith({ alsoKnownAs: ['at://not a handle', 'at://b.com'] }))).toBeUndefined()
    expect(getHandle(docWith({ alsoKnownAs: ['at://alice.example.com/app.bsky.feed.post'] }))).toBeUndefined()
    expect(getHandle(docWith({}))).toBeUndefined()
  })
})
