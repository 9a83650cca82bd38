import { err, isValidHandle, normalizeHandle, type Result } from '@donottrain/lexicon'
import { p256 } from '@noble/curves/nist.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { decodeBase58btc } from '../crypto/base58.js'
import { formatMultikey, parseDidKey } from '../crypto/did-key.js'
import type { KeyType, ParsedKey } from '../crypto/types.js'
import type { DidDocument, DidService, VerificationMethod } from './did-document.js'
import { ResolveError } from './resolve-error.js'

/** Verification method types the atproto DID spec accepts for the `#atproto` key. */
const LEGACY_KEY_TYPES: Readonly<Record<string, KeyType>> = {
  EcdsaSecp256k1VerificationKey2019: 'secp256k1',
  EcdsaSecp256r1VerificationKey2019: 'p256',
}

const curves = { secp256k1, p256 } as const

/** An entry whose id is `#fragment` or `<did>#fragment`, as the atproto DID spec allows both. */
const byFragment =
  (doc: DidDocument, fragment: string) =>
  (entry: { id: string }): boolean =>
    entry.id === `#${fragment}` || entry.id === `${doc.id}#${fragment}`

/** The `#atproto` verification method, if the document has one (the first, if several). */
export const findAtprotoMethod = (doc: DidDocument): VerificationMethod | undefined =>
  doc.verificationMethod.find(byFragment(doc, 'atproto'))

/**
 * Legacy methods carry the raw SEC 1 point (compressed or uncompressed) without a multicodec
 * prefix; the curve comes from the method type. Returns the compressed point.
 */
function legacyKey(type: KeyType, multibase: string): Uint8Array {
  const bytes = decodeBase58btc(multibase)
  return bytes.length === 33 ? bytes : curves[type].Point.fromBytes(bytes).toBytes(true)
}

/**
 * The account's atproto signing key: the `#atproto` verification method, type Multikey, or one
 * of the legacy EcdsaSecp256k1VerificationKey2019 / EcdsaSecp256r1VerificationKey2019 types.
 */
export function getAtprotoKey(doc: DidDocument): Result<ParsedKey, ResolveError> {
  const method = findAtprotoMethod(doc)
  const fail = (reason: string, cause?: unknown) =>
    err(
      new ResolveError(
        'InvalidAtprotoKey',
        `invalid atproto key did=${doc.id} reason=${reason}`,
        cause === undefined ? undefined : { cause },
      ),
    )
  if (method === undefined) {
    return err(new ResolveError('MissingAtprotoKey', `no #atproto verification method did=${doc.id}`))
  }
  const multibase = method.publicKeyMultibase
  if (multibase === undefined) return fail(`no publicKeyMultibase type=${method.type}`)
  if (!multibase.startsWith('z')) return fail(`publicKeyMultibase is not base58btc type=${method.type}`)
  if (method.type === 'Multikey') {
    const parsed = parseDidKey(multibase)
    return parsed.ok ? parsed : fail(parsed.error.code, parsed.error)
  }
  const legacy = LEGACY_KEY_TYPES[method.type]
  if (legacy === undefined) return fail(`unsupported verification method type=${JSON.stringify(method.type)}`)
  let publicKey: Uint8Array
  try {
    publicKey = legacyKey(legacy, multibase)
  } catch (cause) {
    return fail(`unreadable legacy key type=${method.type}`, cause)
  }
  let multikey: string
  try {
    multikey = formatMultikey({ type: legacy, publicKey })
  } catch (cause) {
    return fail(`unreadable legacy key type=${method.type}`, cause)
  }
  const parsed = parseDidKey(multikey)
  return parsed.ok ? parsed : fail(parsed.error.code, parsed.error)
}

const endpointOf = (doc: DidDocument, fragment: string, type: string): DidService | undefined =>
  doc.service.find((entry) => byFragment(doc, fragment)(entry) && entry.type === type)

/**
 * The account's PDS: the `#atproto_pds` service of type AtprotoPersonalDataServer, when its
 * endpoint is an http(s) URL without credentials. Returned as written in the document.
 */
export function getPdsEndpoint(doc: DidDocument): string | undefined {
  const endpoint = endpointOf(doc, 'atproto_pds', 'AtprotoPersonalDataServer')?.serviceEndpoint
  if (typeof endpoint !== 'string') return undefined
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    return undefined
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined
  if (url.username !== '' || url.password !== '' || url.hostname === '') return undefined
  return endpoint
}

/**
 * The handle the document claims: the first `at://` entry of alsoKnownAs, normalised to lower
 * case; undefined when there is none or it is not a valid handle (later entries do not count).
 */
export function getHandle(doc: DidDocument): string | undefined {
  const uri = doc.alsoKnownAs.find((aka) => aka.startsWith('at://'))
  if (uri === undefined) return undefined
  const handle = uri.slice('at://'.length)
  return isValidHandle(handle) ? normalizeHandle(handle) : undefined
}
