import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { formatDidKey as atprotoFormatDidKey, parseDidKey as atprotoParseDidKey } from '@atproto/crypto'
import { p256 } from '@noble/curves/nist.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { describe, expect, it } from 'vitest'
import { decodeBase58btc, encodeBase58btc } from './base58.js'
import { formatDidKey, formatMultikey, InvalidDidKeyError, parseDidKey } from './did-key.js'
import type { KeyType, ParsedKey } from './types.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..')
const readVectors = <T>(name: string): T =>
  JSON.parse(readFileSync(path.resolve(repoRoot, '../shared/interop/crypto', name), 'utf8')) as T

type W3cVector = { privateKeyBytesHex?: string; privateKeyBytesBase58?: string; publicDidKey: string }
type SignatureFixture = { algorithm: string; publicKeyDid: string; publicKeyMultibase: string }

const curves = { secp256k1, p256 } as const
const codecPrefix = { secp256k1: [0xe7, 0x01], p256: [0x80, 0x24] } as const
const keyTypes = ['secp256k1', 'p256'] as const

const privateKeyOf = (vector: W3cVector): Uint8Array => {
  if (vector.privateKeyBytesHex !== undefined) return Uint8Array.from(Buffer.from(vector.privateKeyBytesHex, 'hex'))
  if (vector.privateKeyBytesBase58 !== undefined) return decodeBase58btc(`z${vector.privateKeyBytesBase58}`)
  throw new Error('vector has no private key')
}

const multikeyOf = (prefix: readonly number[], key: Uint8Array): string =>
  encodeBase58btc(Uint8Array.from([...prefix, ...key]))

/** The smallest x >= 1 that is not the x coordinate of any point on the curve. */
const offCurveKey = (type: KeyType): Uint8Array => {
  for (let x = 1; ; x++) {
    const key = new Uint8Array(33)
    key[0] = 0x02
    key[32] = x
    try {
      curves[type].Point.fromBytes(key)
    } catch {
      return key
    }
  }
}

const expectError = (input: string, code: InvalidDidKeyError['code']): InvalidDidKeyError => {
  const result = parseDidKey(input)
  if (result.ok) throw new Error(`expected parse failure for ${input}`)
  expect(result.error).toBeInstanceOf(InvalidDidKeyError)
  expect(result.error.name).toBe('InvalidDidKeyError')
  expect(result.error.code).toBe(code)
  // lowercase prose, then key=value context
  expect(result.error.message).toMatch(/^[a-z][a-z0-9 :.…-]* [a-z]+=/)
  return result.error
}

describe('parseDidKey', () => {
  describe.each([
    ['secp256k1', 'w3c_didkey_K256.json'],
    ['p256', 'w3c_didkey_P256.json'],
  ] as const)('w3c did:key vectors %s', (type, file) => {
    const vectors = readVectors<W3cVector[]>(file)

    it('has vectors', () => {
      expect(vectors.length).toBeGreaterThan(0)
    })

    it.each(vectors.map((vector) => [vector.publicDidKey, vector] as const))('parses %s', (didKey, vector) => {
      const result = parseDidKey(didKey)
      if (!result.ok) throw result.error
      expect(result.value.type).toBe(type)
      expect(result.value.publicKey).toEqual(curves[type].getPublicKey(privateKeyOf(vector), true))
      expect(formatDidKey(result.value)).toBe(didKey)
    })
  })

  it('reads the interop signature fixtures keys, and rejects their legacy (codec-less) multibase', () => {
    const fixtures = readVectors<SignatureFixture[]>('signature-fixtures.json')
    expect(fixtures.length).toBeGreaterThan(0)
    for (const fixture of fixtures) {
      const result = parseDidKey(fixture.publicKeyDid)
      if (!result.ok) throw result.error
      expect(result.value.type).toBe(fixture.algorithm === 'ES256K' ? 'secp256k1' : 'p256')
      // publicKeyMultibase in these fixtures is the pre-Multikey form: the bare compressed point
      expect(decodeBase58btc(fixture.publicKeyMultibase)).toEqual(result.value.publicKey)
      expectError(fixture.publicKeyMultibase, 'UnsupportedKeyType')
    }
  })

  it.each(keyTypes)('accepts a bare multikey the same as the did:key (%s)', (type) => {
    const publicKey = curves[type].getPublicKey(curves[type].utils.randomSecretKey(), true)
    const multikey = multikeyOf(codecPrefix[type], publicKey)
    const bare = parseDidKey(multikey)
    const did = parseDidKey(`did:key:${multikey}`)
    expect(bare).toEqual({ ok: true, value: { type, publicKey } })
    expect(did).toEqual(bare)
  })

  it.each(keyTypes)('agrees with @atproto/crypto on random keys (%s)', (type) => {
    const jwtAlg = type === 'p256' ? 'ES256' : 'ES256K'
    for (let i = 0; i < 20; i++) {
      const secretKey = curves[type].utils.randomSecretKey()
      const publicKey = curves[type].getPublicKey(secretKey, true)
      const didKey = formatDidKey({ type, publicKey })
      expect(didKey).toBe(atprotoFormatDidKey(jwtAlg, publicKey))
      const theirs = atprotoParseDidKey(didKey)
      expect(theirs.jwtAlg).toBe(jwtAlg)
      expect(theirs.keyBytes).toEqual(curves[type].getPublicKey(secretKey, false))
    }
  })

  describe('returns typed errors', () => {
    it.each([
      ['', 'InvalidPrefix'],
      ['did:plc:ewvi7nxzyoun6zhxrhs64oiz', 'InvalidPrefix'],
      ['did:web:example.com', 'InvalidPrefix'],
      ['Q3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme', 'InvalidPrefix'],
      ['DID:KEY:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme', 'InvalidPrefix'],
      ['did:key:', 'InvalidMultibase'],
      ['did:key:uAOcB', 'InvalidMultibase'],
      ['did:key:zQ3sh0kFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme', 'InvalidMultibase'],
      ['did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBm!', 'InvalidMultibase'],
      [`did:key:z${'2'.repeat(500)}`, 'InvalidMultibase'],
      ['did:key:z', 'InvalidMultibase'],
      ['did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', 'UnsupportedKeyType'],
      [
        'did:key:z2J9gaYxrKVpdoG9A4gRnmpnRCcxU6agDtFVVBVdn1JedouoZN7SzcyREXXzWgt3gGiwpoHq7K68X4m32D8HgzG8wv3sY5j7',
        'UnsupportedKeyType',
      ],
    ] as const)('%s -> %s', (input, code) => {
      expectError(input, code)
    })

    it.each(keyTypes)('rejects an uncompressed key (%s)', (type) => {
      const uncompressed = curves[type].getPublicKey(curves[type].utils.randomSecretKey(), false)
      const error = expectError(`did:key:${multikeyOf(codecPrefix[type], uncompressed)}`, 'InvalidKeyLength')
      expect(error.message).toContain('length=65')
    })

    it.each(keyTypes)('rejects a truncated key (%s)', (type) => {
      const publicKey = curves[type].getPublicKey(curves[type].utils.randomSecretKey(), true)
      expectError(`did:key:${multikeyOf(codecPrefix[type], publicKey.subarray(0, 32))}`, 'InvalidKeyLength')
    })

    it.each(keyTypes)('rejects 33 bytes that are not a compressed point on the curve (%s)', (type) => {
      const publicKey = curves[type].getPublicKey(curves[type].utils.randomSecretKey(), true)
      const wrongPrefix = Uint8Array.from(publicKey)
      wrongPrefix[0] = 0x04
      expectError(`did:key:${multikeyOf(codecPrefix[type], wrongPrefix)}`, 'InvalidPoint')
      const beyondField = new Uint8Array(33).fill(0xff)
      beyondField[0] = 0x02
      expectError(`did:key:${multikeyOf(codecPrefix[type], beyondField)}`, 'InvalidPoint')
      expectError(`did:key:${multikeyOf(codecPrefix[type], offCurveKey(type))}`, 'InvalidPoint')
    })

    it('names the codec it does not support', () => {
      const error = expectError('did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', 'UnsupportedKeyType')
      expect(error.message).toContain('codec=0xed')
    })
  })
})

describe('formatDidKey', () => {
  it.each(keyTypes)('round-trips random keys through parseDidKey (%s)', (type) => {
    for (let i = 0; i < 20; i++) {
      const key: ParsedKey = { type, publicKey: curves[type].getPublicKey(curves[type].utils.randomSecretKey(), true) }
      const didKey = formatDidKey(key)
      expect(didKey).toMatch(type === 'p256' ? /^did:key:zDna/ : /^did:key:zQ3s/)
      expect(formatMultikey(key)).toBe(didKey.slice('did:key:'.length))
      expect(parseDidKey(didKey)).toEqual({ ok: true, value: key })
    }
  })

  it('throws InvalidDidKeyError for a key that is not a compressed point of a supported type', () => {
    const uncompressed = secp256k1.getPublicKey(secp256k1.utils.randomSecretKey(), false)
    expect(() => formatDidKey({ type: 'secp256k1', publicKey: uncompressed })).toThrow(InvalidDidKeyError)
    const compressed = p256.getPublicKey(p256.utils.randomSecretKey(), true)
    expect(() => formatDidKey({ type: 'ed25519' as KeyType, publicKey: compressed })).toThrow(
      /unsupported|type=ed25519/,
    )
  })
})
