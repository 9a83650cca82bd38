import { err, ok, type Result } from './result.js'

export class InvalidOriginError extends Error {
  override name = 'InvalidOriginError'
}

/**
 * Checks that a string is a canonical https web origin: scheme, lower-case domain name and an
 * optional port, with nothing after it ('https://example.com', not 'https://example.com/',
 * 'http://…', an IP address or a URL with a path, query, fragment or credentials).
 */
export function parseOrigin(input: string): Result<{ origin: string; host: string }, InvalidOriginError> {
  let url: URL
  try {
    url = new URL(input)
  } catch {
    return err(new InvalidOriginError(`origin is not a url origin=${JSON.stringify(input)}`))
  }
  if (url.protocol !== 'https:') return err(new InvalidOriginError(`origin must use https origin=${input}`))
  if (url.username || url.password) return err(new InvalidOriginError(`origin must not hold credentials`))
  // WHATWG URL parsing already canonicalised IPv4 forms to a dotted quad and IPv6 to [..].
  if (url.hostname.startsWith('[') || /^\d+\.\d+\.\d+\.\d+$/.test(url.hostname)) {
    return err(new InvalidOriginError(`origin host must be a domain name origin=${input}`))
  }
  if (!url.hostname.includes('.'))
    return err(new InvalidOriginError(`origin host must be a domain name origin=${input}`))
  if (url.origin !== input) {
    return err(
      new InvalidOriginError(`origin must be exactly scheme://host[:port] origin=${input} expected=${url.origin}`),
    )
  }
  return ok({ origin: url.origin, host: url.hostname })
}
