import type { LookupAddress } from 'node:dns'
import { lookup as dnsLookup } from 'node:dns/promises'
import type { LookupFunction } from 'node:net'
import { SsrfBlockedError } from './fetch-errors.js'
import { type AddressPolicy, classifyAddress, isAllowedAddress } from './ip-range.js'

export interface ResolvedAddress {
  address: string
  family: 4 | 6
}

/** Resolves a hostname to every address it has; the guard checks each one. */
export type HostResolver = (hostname: string) => Promise<readonly ResolvedAddress[]>

const stripDot = (hostname: string): string => (hostname.endsWith('.') ? hostname.slice(0, -1) : hostname)

/** RFC 6761: 'localhost' and '*.localhost' are loopback, without asking DNS. */
export const isLocalhostName = (hostname: string): boolean => {
  const name = stripDot(hostname.toLowerCase())
  return name === 'localhost' || name.endsWith('.localhost')
}

const LOCALHOST_ADDRESSES: readonly ResolvedAddress[] = [
  { address: '127.0.0.1', family: 4 },
  { address: '::1', family: 6 },
]

/** `dns.lookup` with `all: true`: every address, in the resolver's order. */
export async function defaultResolveHost(hostname: string): Promise<readonly ResolvedAddress[]> {
  const found = await dnsLookup(hostname, { all: true, verbatim: true })
  return found.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }))
}

/**
 * The `lookup` the guard's sockets use: resolves the name, refuses it if any address is one
 * the policy forbids, and hands the socket those same addresses, so what was checked is what
 * gets connected to (no second resolution between check and connect).
 */
export function guardedLookup(resolve: HostResolver, policy: AddressPolicy): LookupFunction {
  const check = async (hostname: string, family: number | undefined): Promise<ResolvedAddress[]> => {
    const all = isLocalhostName(hostname) ? LOCALHOST_ADDRESSES : await resolve(hostname)
    for (const { address } of all) {
      if (!isAllowedAddress(address, policy)) {
        throw new SsrfBlockedError(
          'ForbiddenAddress',
          `refusing address host=${hostname} address=${address} range=${classifyAddress(address).range}`,
        )
      }
    }
    const wanted = all.filter((a) => (family !== 4 && family !== 6 ? true : a.family === family))
    if (wanted.length === 0) {
      throw Object.assign(new Error(`no address host=${hostname} family=${family ?? 'any'}`), { code: 'ENOTFOUND' })
    }
    return wanted
  }
  return (hostname, options, callback) => {
    check(hostname, options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family).then(
      (addresses) => {
        if (options.all === true) callback(null, addresses as LookupAddress[])
        else callback(null, addresses[0]?.address ?? '', addresses[0]?.family)
      },
      (error: Error) => callback(error, ''),
    )
  }
}
