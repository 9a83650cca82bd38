import { randomBytes, randomInt } from 'node:crypto'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { decodeBase58btc, encodeBase58btc } from './base58.js'

const { base58btc } = createRequire(import.meta.url)('multiformats/bases/base58') as {
  base58btc: { decode(text: string): Uint8Array }
}

describe('decodeBase58btc', () => {
  it('decodes what multiformats decodes, byte for byte (leading zeros, every length)', () => {
    for (let length = 0; length <= 90; length++) {
      for (let i = 0; i < 20; i++) {
        const bytes = Uint8Array.from(randomBytes(length))
        for (let z = 0; z < Math.min(length, i % 4); z++) bytes[z] = 0
        const text = encodeBase58btc(bytes)
        expect(decodeBase58btc(text)).toEqual(bytes)
        expect(decodeBase58btc(text)).toEqual(base58btc.decode(text))
      }
    }
  })

  it('agrees with multiformats on text that is not an encoding it would produce', () => {
    const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
    for (let i = 0; i < 500; i++) {
      const text = `z${Array.from({ length: randomInt(0, 60) }, () => alphabet[randomInt(alphabet.length)]).join('')}`
      expect(decodeBase58btc(text)).toEqual(base58btc.decode(text))
    }
    for (const text of ['z', 'z1', 'z111', 'z11112', `z${'z'.repeat(200)}`]) {
      expect(decodeBase58btc(text)).toEqual(base58btc.decode(text))
    }
  })

  it('throws where multiformats throws (other characters, no z prefix)', () => {
    for (const text of ['z0abc', 'zOops', 'zIl', 'z+/', 'zé', 'Qabc', '', 'z abc']) {
      expect(() => base58btc.decode(text)).toThrow()
      expect(() => decodeBase58btc(text)).toThrow()
    }
  })
})
