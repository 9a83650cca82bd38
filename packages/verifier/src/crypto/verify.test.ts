import { verify as nodeVerify, randomBytes, randomInt } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { verifySignature as atprotoVerifySignature } from '@atproto/crypto'
import { p256 } from '@noble/curves/nist.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { describe, expect, it } from 'vitest'
import { formatDidKey, parseDidKey } from './did-key.js'
import { hasNativeSecp256k1 } from './native-secp256k1.js'
import { p256KeyObject } from './p256-node.js'
import type { KeyType, ParsedKey } from './types.js'
import { type VerifyImpl, verifyDidKeySignature, verifySignature } from './verify.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..')
const readVectors = <T>(name: string): T =>
  JSON.parse(readFileSync(path.resolve(repoRoot, '../shared/interop/crypto', name), 'utf8')) as T

type SignatureFixture = {
  comment: string
  messageBase64: string
  algorithm: string
  publicKeyDid: string
  signatureBase64: string
  validSignature: boolean
  tags: string[]
}

const fixtures = readVectors<SignatureFixture[]>('signature-fixtures.json')
const curves = { secp256k1, p256 } as const
const keyTypes = ['secp256k1', 'p256'] as const
const impls: VerifyImpl[] = ['auto', 'js']

const toBigInt = (bytes: Uint8Array): bigint => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`)
const to32 = (value: bigint): Uint8Array => Uint8Array.from(Buffer.from(value.toString(16).padStart(64, '0'), 'hex'))
const compact = (r: bigint, s: bigint): Uint8Array => Uint8Array.from([...to32(r), ...to32(s)])
const orderOf = (type: KeyType): bigint => curves[type].Point.Fn.ORDER

function signed(type: KeyType, data = Uint8Array.from(randomBytes(randomInt(1, 300)))) {
  const secretKey = curves[type].utils.randomSecretKey()
  const key: ParsedKey = { type, publicKey: curves[type].getPublicKey(secretKey, true) }
  // noble hashes with SHA-256 and produces a compact low-S signature by default
  const sig = curves[type].sign(data, secretKey)
  return { secretKey, key, data, sig }
}

/** The same signature with s replaced by n - s: mathematically valid, but high-S. */
function highS(type: KeyType, sig: Uint8Array): Uint8Array {
  const s = toBigInt(sig.subarray(32))
  const flipped = compact(toBigInt(sig.subarray(0, 32)), orderOf(type) - s)
  expect(toBigInt(flipped.subarray(32)) > orderOf(type) / 2n).toBe(true)
  return flipped
}

function flipBit(bytes: Uint8Array, index: number): Uint8Array {
  const copy = Uint8Array.from(bytes)
  copy[index] = (copy[index] ?? 0) ^ (1 << (index % 8))
  return copy
}

describe('verifySignature', () => {
  it('runs secp256k1 on the native libsecp256k1 binding in this environment', () => {
    expect(hasNativeSecp256k1()).toBe(true)
  })

  it('has the interop fixtures, valid and invalid, on both curves', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(6)
    expect(new Set(fixtures.map((f) => f.validSignature))).toEqual(new Set([true, false]))
    expect(new Set(fixtures.map((f) => f.algorithm))).toEqual(new Set(['ES256', 'ES256K']))
  })

  describe.each(impls)('impl=%s', (impl) => {
    it.each(fixtures.map((f) => [f.comment, f] as const))('judges interop fixture: %s', (_, fixture) => {
      const parsed = parseDidKey(fixture.publicKeyDid)
      if (!parsed.ok) throw parsed.error
      const data = Uint8Array.from(Buffer.from(fixture.messageBase64, 'base64'))
      const sig = Uint8Array.from(Buffer.from(fixture.signatureBase64, 'base64'))
      expect(verifySignature(parsed.value, data, sig, { impl })).toBe(fixture.validSignature)
      expect(verifyDidKeySignature(fixture.publicKeyDid, data, sig, { impl })).toBe(fixture.validSignature)
    })

    it.each(keyTypes)('accepts fresh signatures over random data (%s)', (type) => {
      for (let i = 0; i < 10; i++) {
        const { key, data, sig } = signed(type)
        expect(verifySignature(key, data, sig, { impl })).toBe(true)
      }
      const { key, sig } = signed(type, new Uint8Array(0))
      expect(verifySignature(key, new Uint8Array(0), sig, { impl })).toBe(true)
    })

    it.each(keyTypes)('rejects any one flipped bit of data or signature (%s)', (type) => {
      const { key, data, sig } = signed(type, Uint8Array.from(randomBytes(48)))
      expect(verifySignature(key, data, sig, { impl })).toBe(true)
      for (let i = 0; i < sig.length; i++) expect(verifySignature(key, data, flipBit(sig, i), { impl })).toBe(false)
      for (let i = 0; i < data.length; i++) expect(verifySignature(key, flipBit(data, i), sig, { impl })).toBe(false)
    })

    it.each(keyTypes)('rejects a signature by another key (%s)', (type) => {
      const { data, sig } = signed(type)
      const other = signed(type)
      expect(verifySignature(other.key, data, sig, { impl })).toBe(false)
    })

    it.each(keyTypes)('rejects the high-S twin of a valid signature (%s)', (type) => {
      const { key, data, sig } = signed(type)
      const high = highS(type, sig)
      // the twin is a valid ECDSA signature; only the low-S rule rejects it
      expect(curves[type].verify(high, data, key.publicKey, { lowS: false })).toBe(true)
      expect(verifySignature(key, data, sig, { impl })).toBe(true)
      expect(verifySignature(key, data, high, { impl })).toBe(false)
    })

    it.each(keyTypes)('rejects a DER-encoded signature (%s)', (type) => {
      const { secretKey, key, data } = signed(type)
      const der = curves[type].sign(data, secretKey, { format: 'der' })
      expect(curves[type].verify(der, data, key.publicKey, { format: 'der' })).toBe(true)
      expect(der[0]).toBe(0x30)
      expect(verifySignature(key, data, der, { impl })).toBe(false)
    })

    it.each(keyTypes)('returns false, without throwing, for signatures of the wrong length (%s)', (type) => {
      const { secretKey, key, data, sig } = signed(type)
      const recovered = curves[type].sign(data, secretKey, { format: 'recovered' })
      for (const bad of [
        new Uint8Array(0),
        sig.subarray(0, 63),
        Uint8Array.from([...sig, 0]),
        recovered,
        new Uint8Array(128),
      ]) {
        expect(verifySignature(key, data, bad, { impl })).toBe(false)
      }
    })

    it.each(keyTypes)('rejects r or s that is zero or not below the order (%s)', (type) => {
      const { key, data, sig } = signed(type)
      const r = toBigInt(sig.subarray(0, 32))
      const s = toBigInt(sig.subarray(32))
      const n = orderOf(type)
      for (const bad of [
        compact(0n, s),
        compact(r, 0n),
        compact(r + n < 2n ** 256n ? r + n : n, s),
        compact(n, s),
        compact(r, n),
      ]) {
        expect(verifySignature(key, data, bad, { impl })).toBe(false)
      }
    })

    it.each(keyTypes)('returns false for keys that are not compressed points on the curve (%s)', (type) => {
      const { secretKey, key, data, sig } = signed(type)
      const uncompressed = curves[type].getPublicKey(secretKey, false)
      const wrongPrefix = Uint8Array.from(key.publicKey)
      wrongPrefix[0] = 0x04
      const otherParity = Uint8Array.from(key.publicKey)
      otherParity[0] = otherParity[0] === 0x02 ? 0x03 : 0x02
      const beyondField = new Uint8Array(33).fill(0xff)
      beyondField[0] = 0x02
      const otherCurve: KeyType = type === 'p256' ? 'secp256k1' : 'p256'
      const badKeys: ParsedKey[] = [
        { type, publicKey: uncompressed },
        { type, publicKey: wrongPrefix },
        { type, publicKey: otherParity },
        { type, publicKey: beyondField },
        { type, publicKey: key.publicKey.subarray(0, 32) },
        { type: otherCurve, publicKey: key.publicKey },
        { type: 'ed25519' as KeyType, publicKey: key.publicKey },
      ]
      for (const bad of badKeys) expect(verifySignature(bad, data, sig, { impl })).toBe(false)
    })
  })

  it('needs its own low-S check for P-256: node:crypto alone accepts the high-S twin', () => {
    const { key, data, sig } = signed('p256')
    const high = highS('p256', sig)
    const keyObject = p256KeyObject(key.publicKey)
    if (keyObject === null) throw new Error('no key object')
    expect(nodeVerify('sha256', data, { key: keyObject, dsaEncoding: 'ieee-p1363' }, high)).toBe(true)
    expect(verifySignature(key, data, high)).toBe(false)
  })

  it.each(keyTypes)('agrees with @atproto/crypto on valid, tampered and high-S signatures (%s)', async (type) => {
    for (let i = 0; i < 10; i++) {
      const { key, data, sig } = signed(type)
      const didKey = formatDidKey(key)
      for (const candidate of [sig, flipBit(sig, randomInt(64)), highS(type, sig)]) {
        const theirs = await atprotoVerifySignature(didKey, data, candidate)
        for (const impl of impls) expect(verifySignature(key, data, candidate, { impl })).toBe(theirs)
      }
    }
  })
})

describe('verifyDidKeySignature', () => {
  it.each(keyTypes)('verifies with a did:key or a bare multikey (%s)', (type) => {
    const { key, data, sig } = signed(type)
    const didKey = formatDidKey(key)
    expect(verifyDidKeySignature(didKey, data, sig)).toBe(true)
    expect(verifyDidKeySignature(didKey.slice('did:key:'.length), data, sig)).toBe(true)
    expect(verifyDidKeySignature(didKey, flipBit(data, 0), sig)).toBe(false)
  })

  it('returns false for strings that are not atproto did:keys', () => {
    const { data, sig } = signed('secp256k1')
    for (const bad of [
      '',
      'did:key:',
      'did:plc:ewvi7nxzyoun6zhxrhs64oiz',
      'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
    ]) {
      expect(verifyDidKeySignature(bad, data, sig)).toBe(false)
    }
  })
})
