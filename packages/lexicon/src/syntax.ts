import {
  isValidDatetime as atprotoIsValidDatetime,
  isValidDid,
  isValidHandle,
  isValidNsid,
  isValidRecordKey,
  isValidTid,
} from '@atproto/syntax'

// One place for the atproto syntax rules the project relies on, so every package judges
// identifiers the same way. These delegate to @atproto/syntax, the reference implementation,
// and are tested against the public interop vectors.

export { isValidDid, isValidHandle, isValidNsid, isValidRecordKey, isValidTid }

/** RFC 3339 datetime as the atproto data model restricts it (timezone required, no -00:00). */
export function isValidDatetime(input: string): boolean {
  return atprotoIsValidDatetime(input)
}

/** Handles compare case-insensitively; the normal form is lower case. */
export function normalizeHandle(handle: string): string {
  return handle.toLowerCase()
}

/** Longest at-uri accepted (the lexicon at-uri format limit). */
export const MAX_AT_URI_LENGTH = 8 * 1024

/**
 * The restricted at-uri syntax used in records and lexicons: `at://<did|handle>[/<nsid>[/<rkey>]]`
 * with no trailing slash, query or fragment. @atproto/syntax's isValidAtUri accepts the looser
 * general URI syntax; the interop vectors hold the restricted one.
 */
export function isValidAtUri(input: string): boolean {
  if (typeof input !== 'string' || input.length > MAX_AT_URI_LENGTH || !input.startsWith('at://')) return false
  const parts = input.slice('at://'.length).split('/')
  if (parts.length > 3) return false
  const [authority = '', collection, rkey] = parts
  if (!isValidDid(authority) && !isValidHandle(authority)) return false
  if (collection !== undefined && !isValidNsid(collection)) return false
  if (rkey !== undefined && !isValidRecordKey(rkey)) return false
  return true
}
