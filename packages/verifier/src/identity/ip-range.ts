import { isIPv4, isIPv6 } from 'node:net'

/**
 * How the SSRF guard treats an address:
 * - `public`: globally routable, always allowed;
 * - `loopback`: 127/8, ::1 — allowed only with `allowLoopback` (tests, local dev);
 * - `private`: RFC 1918, CGNAT 100.64/10, unique-local fc00::/7 — allowed only with `allowPrivate`;
 * - `reserved`: everything never reachable on purpose (unspecified, link-local incl. cloud
 *   metadata 169.254.169.254, multicast, broadcast, documentation, benchmarking, 240/4, Teredo…)
 *   — never allowed.
 */
export type AddressKind = 'public' | 'loopback' | 'private' | 'reserved'

export interface AddressClass {
  kind: AddressKind
  /** The matched range, for error messages (e.g. '10.0.0.0/8'); 'public' when none matched. */
  range: string
}

type Range = readonly [prefix: readonly number[], bits: number, kind: Exclude<AddressKind, 'public'>, label: string]

const V4_RANGES: readonly Range[] = [
  [[0, 0, 0, 0], 8, 'reserved', '0.0.0.0/8'],
  [[10, 0, 0, 0], 8, 'private', '10.0.0.0/8'],
  [[100, 64, 0, 0], 10, 'private', '100.64.0.0/10'],
  [[127, 0, 0, 0], 8, 'loopback', '127.0.0.0/8'],
  [[169, 254, 0, 0], 16, 'reserved', '169.254.0.0/16'],
  [[172, 16, 0, 0], 12, 'private', '172.16.0.0/12'],
  [[192, 0, 0, 0], 24, 'reserved', '192.0.0.0/24'],
  [[192, 0, 2, 0], 24, 'reserved', '192.0.2.0/24'],
  [[192, 88, 99, 0], 24, 'reserved', '192.88.99.0/24'],
  [[192, 168, 0, 0], 16, 'private', '192.168.0.0/16'],
  [[198, 18, 0, 0], 15, 'reserved', '198.18.0.0/15'],
  [[198, 51, 100, 0], 24, 'reserved', '198.51.100.0/24'],
  [[203, 0, 113, 0], 24, 'reserved', '203.0.113.0/24'],
  [[224, 0, 0, 0], 4, 'reserved', '224.0.0.0/4'],
  [[240, 0, 0, 0], 4, 'reserved', '240.0.0.0/4'], // includes 255.255.255.255
]

// IPv6 ranges that embed an IPv4 address are handled before this table (see EMBEDDED_V4).
const V6_RANGES: readonly Range[] = [
  [[0, 0, 0, 0, 0, 0, 0, 1], 128, 'loopback', '::1/128'],
  [[0, 0, 0, 0, 0, 0, 0, 0], 128, 'reserved', '::/128'],
  [[0, 0, 0, 0, 0, 0, 0, 0], 96, 'reserved', '::/96'], // deprecated IPv4-compatible
  [[0x0100, 0, 0, 0], 64, 'reserved', '100::/64'],
  [[0x2001, 0], 32, 'reserved', '2001::/32'], // Teredo: tunnels to an obfuscated IPv4
  [[0x2001, 0x0db8], 32, 'reserved', '2001:db8::/32'],
  [[0xfc00], 7, 'private', 'fc00::/7'],
  [[0xfe80], 10, 'reserved', 'fe80::/10'],
  [[0xfec0], 10, 'reserved', 'fec0::/10'],
  [[0xff00], 8, 'reserved', 'ff00::/8'],
]

/** IPv6 prefixes whose address carries an IPv4 address that is what really gets reached. */
const EMBEDDED_V4: readonly { prefix: readonly number[]; bits: number; at: number; label: string }[] = [
  { prefix: [0, 0, 0, 0, 0, 0xffff], bits: 96, at: 6, label: '::ffff:0:0/96' }, // IPv4-mapped
  { prefix: [0, 0, 0, 0, 0xffff, 0], bits: 96, at: 6, label: '::ffff:0:0:0/96' }, // IPv4-translated
  { prefix: [0x0064, 0xff9b, 0, 0, 0, 0], bits: 96, at: 6, label: '64:ff9b::/96' }, // NAT64
  { prefix: [0x0064, 0xff9b, 0x0001], bits: 48, at: 6, label: '64:ff9b:1::/48' }, // local NAT64
  { prefix: [0x2002], bits: 16, at: 1, label: '2002::/16' }, // 6to4
]

function matches(words: readonly number[], prefix: readonly number[], bits: number, wordBits: number): boolean {
  for (let i = 0; i * wordBits < bits; i++) {
    const take = Math.min(wordBits, bits - i * wordBits)
    const shift = wordBits - take
    if ((words[i] ?? 0) >> shift !== (prefix[i] ?? 0) >> shift) return false
  }
  return true
}

function classifyV4(octets: readonly number[]): AddressClass {
  for (const [prefix, bits, kind, range] of V4_RANGES) {
    if (matches(octets, prefix, bits, 8)) return { kind, range }
  }
  return { kind: 'public', range: 'public' }
}

/** Parses a valid IPv6 text address (no brackets, no zone) into eight 16-bit words. */
function parseV6(address: string): number[] {
  let text = address
  const lastColon = text.lastIndexOf(':')
  const last = text.slice(lastColon + 1)
  if (last.includes('.')) {
    // A dotted IPv4 tail ('::ffff:10.0.0.1') is the last two words.
    const [a = 0, b = 0, c = 0, d = 0] = last.split('.').map(Number)
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((w) => Number.parseInt(w, 16)))
  const [head = '', rest] = text.split('::')
  const left = parse(head)
  const right = rest === undefined ? [] : parse(rest)
  return [...left, ...new Array<number>(Math.max(8 - left.length - right.length, 0)).fill(0), ...right]
}

/**
 * Classifies an IP address (IPv4 dotted quad, or IPv6 with or without brackets and zone). An
 * IPv6 address that embeds an IPv4 one (mapped, NAT64, 6to4) is classified by that IPv4
 * address. Anything that is not an IP address at all is `reserved`: the guard never connects
 * to what it cannot classify.
 */
export function classifyAddress(input: string): AddressClass {
  let address = input.startsWith('[') && input.endsWith(']') ? input.slice(1, -1) : input
  const zone = address.indexOf('%')
  if (zone !== -1) address = address.slice(0, zone)
  if (isIPv4(address)) return classifyV4(address.split('.').map(Number))
  if (!isIPv6(address)) return { kind: 'reserved', range: 'not-an-ip' }
  const words = parseV6(address.toLowerCase())
  for (const { prefix, bits, at, label } of EMBEDDED_V4) {
    if (!matches(words, prefix, bits, 16)) continue
    const hi = words[at] ?? 0
    const lo = words[at + 1] ?? 0
    const inner = classifyV4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff])
    return inner.kind === 'public' ? inner : { kind: inner.kind, range: `${label} ${inner.range}` }
  }
  for (const [prefix, bits, kind, range] of V6_RANGES) {
    if (matches(words, prefix, bits, 16)) return { kind, range }
  }
  return { kind: 'public', range: 'public' }
}

export interface AddressPolicy {
  allowLoopback?: boolean
  allowPrivate?: boolean
}

/** Whether the guard may connect to address under policy; reserved ranges are never allowed. */
export function isAllowedAddress(address: string, policy: AddressPolicy = {}): boolean {
  const { kind } = classifyAddress(address)
  if (kind === 'public') return true
  if (kind === 'loopback') return policy.allowLoopback === true
  if (kind === 'private') return policy.allowPrivate === true
  return false
}
