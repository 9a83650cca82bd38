// Allocation-free syntax checks on a range of a string, exactly those of @atproto/syntax
// (isValidDid, isValidRecordKey), for the snapshot checker's fast paths; property-tested
// against them in subject-syntax.test.ts.

const A = 0x61
const Z = 0x7a

/** A DID char after the method: [a-zA-Z0-9._:%-]. */
function didChar(c: number): boolean {
  return (
    (c >= A && c <= Z) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2e ||
    c === 0x5f ||
    c === 0x3a ||
    c === 0x25 ||
    c === 0x2d
  )
}

/** isValidDid(s.slice(start, end)): /^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$/, at most 2048 chars. */
export function isDidAt(s: string, start: number, end: number): boolean {
  return didHashAt(s, start, end) >= 0
}

/**
 * In one pass: -1 unless s[start, end) is a valid DID (isDidAt), else its FNV-1a hash (the
 * snapshot's index hash, fnvString).
 */
export function didHashAt(s: string, start: number, end: number): number {
  if (end - start > 2048 || end - start < 7 || !s.startsWith('did:', start)) return -1
  // FNV-1a of "did:" (0x64 0x69 0x64 0x3a).
  let h = 0x811c9dc5
  h = Math.imul(h ^ 0x64, 0x01000193)
  h = Math.imul(h ^ 0x69, 0x01000193)
  h = Math.imul(h ^ 0x64, 0x01000193)
  h = Math.imul(h ^ 0x3a, 0x01000193)
  let i = start + 4
  while (i < end) {
    const c = s.charCodeAt(i)
    if (c < A || c > Z) break
    h = Math.imul(h ^ c, 0x01000193)
    i++
  }
  if (i === start + 4 || i >= end - 1 || s.charCodeAt(i) !== 0x3a) return -1
  h = Math.imul(h ^ 0x3a, 0x01000193)
  for (i++; i < end; i++) {
    const c = s.charCodeAt(i)
    if (!didChar(c)) return -1
    h = Math.imul(h ^ c, 0x01000193)
  }
  const last = s.charCodeAt(end - 1)
  return last !== 0x3a && last !== 0x25 ? h >>> 0 : -1
}

/** isValidRecordKey(s.slice(start, end)): [a-zA-Z0-9_~.:-]{1,512}, not "." or "..". */
export function isRecordKeyAt(s: string, start: number, end: number): boolean {
  const n = end - start
  if (n < 1 || n > 512) return false
  let dots = 0
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i)
    if (c === 0x2e) dots++
    else if (!(didChar(c) && c !== 0x25) && c !== 0x7e) return false
  }
  return !(dots === n && n <= 2)
}

// Hosts whose URLs may name an account, a record or a blob (parseSubject's special cases).
const SPECIAL_HOSTS = new Set([
  'bsky.app',
  'www.bsky.app',
  'staging.bsky.app',
  'main.bsky.dev',
  'cdn.bsky.app',
  'av-cdn.bsky.app',
  'video.bsky.app',
  'video.cdn.bsky.app',
])
const WHITESPACE = /\s/

/**
 * The origin parseSubject gives an http(s) URL, for the plain common form only: a lower-case
 * scheme and host of [a-z0-9.-] labels (none empty, none punycode, the last starting with a
 * letter, so never an IP address), no userinfo or port, no whitespace, not a Bluesky host.
 * Undefined for anything else: let parseSubject (and the WHATWG URL parser) judge.
 */
export function webOrigin(s: string): string | undefined {
  const start = s.startsWith('https://') ? 8 : s.startsWith('http://') ? 7 : 0
  if (start === 0) return undefined
  let i = start
  let label = start
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 0x2f || c === 0x3f || c === 0x23) break
    if (c === 0x2e) {
      if (i === label) return undefined
      label = i + 1
    } else if (!((c >= A && c <= Z) || (c >= 0x30 && c <= 0x39) || c === 0x2d)) {
      return undefined
    } else if (i === label && c === 0x78 && s.startsWith('xn--', i)) {
      return undefined
    }
  }
  const first = s.charCodeAt(label)
  if (i === label || !(first >= A && first <= Z)) return undefined
  const origin = s.slice(0, i)
  if (SPECIAL_HOSTS.has(origin.slice(start)) || WHITESPACE.test(s)) return undefined
  return origin
}
