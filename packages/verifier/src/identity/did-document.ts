import { err, ok, type Result } from '@donottrain/lexicon'
import { ResolveError } from './resolve-error.js'

export interface VerificationMethod {
  readonly id: string
  readonly type: string
  readonly controller: string
  readonly publicKeyMultibase?: string
}

export interface DidService {
  readonly id: string
  readonly type: string
  /** A URL for atproto services; DID Core also allows a map or a set, kept as parsed. */
  readonly serviceEndpoint: string | Readonly<Record<string, unknown>> | readonly unknown[]
}

/** The parts of a DID document atproto reads, validated; absent arrays become empty ones. */
export interface DidDocument {
  readonly id: string
  readonly alsoKnownAs: readonly string[]
  readonly verificationMethod: readonly VerificationMethod[]
  readonly service: readonly DidService[]
}

/** Caps on a document's shape: far above any real atproto document, far below a hostile one. */
export const DID_DOCUMENT_LIMITS = {
  maxEntries: 64, // per array: alsoKnownAs, verificationMethod, service
  maxStringLength: 2048, // ids, types, controllers, URIs, endpoints
  maxMultibaseLength: 256,
} as const

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

class ShapeError extends Error {}

function str(value: unknown, path: string, max: number = DID_DOCUMENT_LIMITS.maxStringLength): string {
  if (typeof value !== 'string') throw new ShapeError(`${path} must be a string`)
  if (value.length > max) throw new ShapeError(`${path} too long length=${value.length} max=${max}`)
  return value
}

function list<T>(value: unknown, path: string, item: (entry: unknown, path: string) => T): readonly T[] {
  if (value === undefined) return Object.freeze([])
  if (!Array.isArray(value)) throw new ShapeError(`${path} must be an array`)
  if (value.length > DID_DOCUMENT_LIMITS.maxEntries) {
    throw new ShapeError(`${path} has too many entries count=${value.length} max=${DID_DOCUMENT_LIMITS.maxEntries}`)
  }
  return Object.freeze(value.map((entry, i) => item(entry, `${path}[${i}]`)))
}

function verificationMethod(value: unknown, path: string): VerificationMethod {
  if (!isRecord(value)) throw new ShapeError(`${path} must be an object`)
  const method: VerificationMethod = {
    id: str(value.id, `${path}.id`),
    type: str(value.type, `${path}.type`),
    controller: str(value.controller, `${path}.controller`),
    ...(value.publicKeyMultibase === undefined
      ? {}
      : {
          publicKeyMultibase: str(
            value.publicKeyMultibase,
            `${path}.publicKeyMultibase`,
            DID_DOCUMENT_LIMITS.maxMultibaseLength,
          ),
        }),
  }
  return Object.freeze(method)
}

function service(value: unknown, path: string): DidService {
  if (!isRecord(value)) throw new ShapeError(`${path} must be an object`)
  const endpoint = value.serviceEndpoint
  if (typeof endpoint !== 'string' && (typeof endpoint !== 'object' || endpoint === null)) {
    throw new ShapeError(`${path}.serviceEndpoint must be a string, an object or an array`)
  }
  return Object.freeze({
    id: str(value.id, `${path}.id`),
    type: str(value.type, `${path}.type`),
    serviceEndpoint:
      typeof endpoint === 'string'
        ? str(endpoint, `${path}.serviceEndpoint`)
        : (Object.freeze(endpoint) as DidService['serviceEndpoint']),
  })
}

/**
 * Validates a parsed DID document for `did`: an object whose `id` is exactly `did`, with
 * well-formed `alsoKnownAs`, `verificationMethod` and `service` arrays within the caps. Returns a
 * frozen copy holding only those fields, safe to share from a cache.
 */
export function parseDidDocument(value: unknown, did: string): Result<DidDocument, ResolveError> {
  const fail = (reason: string) =>
    err(new ResolveError('InvalidDidDocument', `invalid did document did=${did} reason=${reason}`))
  if (!isRecord(value)) return fail('not a json object')
  if (value.id !== did) {
    const shown = typeof value.id === 'string' ? JSON.stringify(value.id.slice(0, 100)) : typeof value.id
    return fail(`id does not match the did id=${shown}`)
  }
  try {
    return ok(
      Object.freeze({
        id: did,
        alsoKnownAs: list(value.alsoKnownAs, 'alsoKnownAs', (entry, path) => str(entry, path)),
        verificationMethod: list(value.verificationMethod, 'verificationMethod', verificationMethod),
        service: list(value.service, 'service', service),
      }),
    )
  } catch (cause) {
    if (cause instanceof ShapeError) return fail(cause.message)
    throw cause
  }
}

/** Parses the bytes of a fetched DID document (UTF-8 JSON), then validates it for `did`. */
export function decodeDidDocument(body: Uint8Array, did: string): Result<DidDocument, ResolveError> {
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body))
  } catch (cause) {
    return err(
      new ResolveError('InvalidDidDocument', `invalid did document did=${did} reason=malformed json`, { cause }),
    )
  }
  return parseDidDocument(json, did)
}
