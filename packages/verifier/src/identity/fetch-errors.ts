export type SsrfBlockedCode =
  | 'InvalidUrl' // not a parseable absolute URL
  | 'ForbiddenProtocol' // neither http: nor https:
  | 'HttpsRequired' // http: to anything but an allowed loopback host
  | 'Credentials' // user:password@ in the URL
  | 'ForbiddenAddress' // an IP literal, or a name resolving to an address, the policy refuses

/** The guard refused a URL before connecting: bad scheme, credentials, or a forbidden address. */
export class SsrfBlockedError extends Error {
  override name = 'SsrfBlockedError'
  constructor(
    readonly code: SsrfBlockedCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** The response body (or its announced content-length) went past the byte cap. */
export class ResponseTooLargeError extends Error {
  override name = 'ResponseTooLargeError'
  constructor(
    readonly maxBytes: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** The whole exchange, redirects and body included, went past the time cap. */
export class FetchTimeoutError extends Error {
  override name = 'FetchTimeoutError'
  constructor(
    readonly timeoutMs: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** The final response had a status other than 2xx (redirects are followed first). */
export class HttpStatusError extends Error {
  override name = 'HttpStatusError'
  constructor(
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

export type FetchFailedCode =
  | 'Network' // connection refused, reset, DNS failure, TLS failure…
  | 'Aborted' // the caller's signal aborted
  | 'TooManyRedirects' // more hops than maxRedirects
  | 'BadRedirect' // a 3xx without a usable Location

/** Any other failure of the exchange. */
export class FetchFailedError extends Error {
  override name = 'FetchFailedError'
  constructor(
    readonly code: FetchFailedCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

export type SafeFetchError =
  | SsrfBlockedError
  | ResponseTooLargeError
  | FetchTimeoutError
  | HttpStatusError
  | FetchFailedError

/**
 * A URL as it may appear in an error message: scheme, host, port and path, never the
 * userinfo, query or fragment (where credentials and tokens live), and never unbounded.
 */
export function redactUrl(url: URL | string): string {
  let parsed: URL
  try {
    parsed = typeof url === 'string' ? new URL(url) : url
  } catch {
    return '<invalid-url>'
  }
  const text = `${parsed.protocol}//${parsed.host}${parsed.pathname}`
  return text.length > 200 ? `${text.slice(0, 200)}…` : text
}
