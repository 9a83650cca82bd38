import { leadingZeroBits } from './key-hash.js'

/** The longest MST key the reference implementation accepts (bytes; keys are ASCII). */
export const MAX_MST_KEY_LENGTH = 1024

/** 1 for the bytes allowed in an MST key besides '/': A-Z a-z 0-9 _ ~ - : . (256 entries). */
export const KEY_CHAR = new Uint8Array(256)
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_~-:.') KEY_CHAR[c.charCodeAt(0)] = 1

/**
 * The MST layer of a key: the number of leading zero bits of SHA-256(key), divided by two and
 * rounded down (fanout 4). Any string or bytes are accepted; strings are hashed as UTF-8.
 */
export const keyHeight = (key: string | Uint8Array): number => leadingZeroBits(key) >>> 1

/** How many leading characters two keys share. */
export function commonPrefixLength(a: string, b: string): number {
  const max = Math.min(a.length, b.length)
  let i = 0
  while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i++
  return i
}

/**
 * True when key is a valid repository MST key: `<collection>/<rkey>`, at most 1024 characters,
 * exactly one '/', both halves non-empty and made of A-Z a-z 0-9 _ ~ - : . only.
 */
export function isValidMstKey(key: string): boolean {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_MST_KEY_LENGTH) return false
  let slash = -1
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i)
    if (code === 0x2f) {
      if (slash !== -1) return false
      slash = i
    } else if (code >= 128 || KEY_CHAR[code] !== 1) {
      return false
    }
  }
  return slash > 0 && slash < key.length - 1
}

/** The MST key of a record: `<collection>/<rkey>` (not validated; see isValidMstKey). */
export const formatMstKey = (collection: string, rkey: string): string => `${collection}/${rkey}`
