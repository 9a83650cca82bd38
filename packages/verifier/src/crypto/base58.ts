import { createRequire } from 'node:module'

type Base58Codec = { encode(bytes: Uint8Array): string; decode(multibase: string): Uint8Array }

// multiformats@9 publishes its types outside its package.json "exports", so TypeScript with
// module NodeNext cannot see them; load the codec through require and type the two calls used.
const { base58btc } = createRequire(import.meta.url)('multiformats/bases/base58') as {
  base58btc: Base58Codec
}

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
const DIGIT = new Int8Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) DIGIT[ALPHABET.charCodeAt(i)] = i
/** Longest text the fast decoder takes (a did:key is 48 or 49 characters after the 'z'). */
const MAX_FAST_LENGTH = 128
const LIMB = 2 ** 32

/**
 * Decodes base58btc multibase text as multiformats does (leading '1's are zero bytes, then the
 * number in the fewest bytes), with 32-bit limbs instead of one byte at a time; undefined for
 * anything it leaves to multiformats (no 'z' prefix, other characters, long text).
 */
function decodeFast(multibase: string): Uint8Array | undefined {
  if (typeof multibase !== 'string' || multibase.length > MAX_FAST_LENGTH || multibase.charCodeAt(0) !== 0x7a) {
    return undefined
  }
  let zeros = 0
  while (zeros + 1 < multibase.length && multibase.charCodeAt(zeros + 1) === 0x31) zeros++
  const limbs: number[] = []
  for (let i = 1 + zeros; i < multibase.length; i++) {
    const code = multibase.charCodeAt(i)
    let carry = code < 128 ? (DIGIT[code] as number) : -1
    if (carry < 0) return undefined
    for (let j = 0; j < limbs.length; j++) {
      const x = (limbs[j] as number) * 58 + carry
      carry = Math.floor(x / LIMB)
      limbs[j] = x - carry * LIMB
    }
    if (carry > 0) limbs.push(carry)
  }
  const top = limbs.length === 0 ? 0 : (limbs[limbs.length - 1] as number)
  const topBytes = top >= 0x1000000 ? 4 : top >= 0x10000 ? 3 : top >= 0x100 ? 2 : top > 0 ? 1 : 0
  const length = limbs.length === 0 ? 0 : (limbs.length - 1) * 4 + topBytes
  const out = new Uint8Array(zeros + length)
  let at = out.length - 1
  for (let j = 0; j < limbs.length; j++) {
    let limb = limbs[j] as number
    for (let k = 0; k < 4 && at >= zeros; k++) {
      out[at--] = limb & 0xff
      limb >>>= 8
    }
  }
  return out
}

/** Encodes bytes as base58btc multibase text (with the 'z' prefix). */
export const encodeBase58btc = (bytes: Uint8Array): string => base58btc.encode(bytes)

/** Decodes base58btc multibase text (with the 'z' prefix); throws on any other character. */
export const decodeBase58btc = (multibase: string): Uint8Array => decodeFast(multibase) ?? base58btc.decode(multibase)
