import { createRequire } from 'node:module'

type Base58Codec = { encode(bytes: Uint8Array): string; decode(multibase: string): Uint8Array }

// multiformats@9 publishes its types outside its package.json "exports", so TypeScript with
// module NodeNext cannot see them; load the codec through require and type the two calls used.
const { base58btc } = createRequire(import.meta.url)('multiformats/bases/base58') as {
  base58btc: Base58Codec
}

/** Encodes bytes as base58btc multibase text (with the 'z' prefix). */
export const encodeBase58btc = (bytes: Uint8Array): string => base58btc.encode(bytes)

/** Decodes base58btc multibase text (with the 'z' prefix); throws on any other character. */
export const decodeBase58btc = (multibase: string): Uint8Array => base58btc.decode(multibase)
