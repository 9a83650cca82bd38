import { randomBytes } from 'node:crypto'
import { chmod, mkdir, open, readFile, stat } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { getPublicKeyAsync } from '@noble/ed25519'

// multiformats@9 keeps its types outside package.json "exports" (invisible to NodeNext): require it.
const { base58btc } = createRequire(import.meta.url)('multiformats/bases/base58') as {
  base58btc: { encode(bytes: Uint8Array): string; decode(multibase: string): Uint8Array }
}

/** multicodec ed25519-pub (0xed), as an unsigned varint. */
const ED25519_PUB_PREFIX = Uint8Array.of(0xed, 0x01)
export const SERVICE_KEY_ID = '#donottrain'

export class ServiceKeyError extends Error {
  override name = 'ServiceKeyError'
}

/** The indexer's own identity: did:web of its public host and its Ed25519 key. */
export interface ServiceIdentity {
  did: string
  publicUrl: string
  /** 32-byte Ed25519 public key. */
  publicKey: Uint8Array
  /** Multikey encoding: 'z' + base58btc(0xed01 ‖ key). */
  publicKeyMultibase: string
  /** The 32-byte seed; never logged. */
  readonly seed: Uint8Array
  didDocument(): Record<string, unknown>
}

/**
 * The signing key's seed: INDEXER_SIGNING_KEY when given, else the key file, else a new key
 * written to the key file with mode 0600.
 */
export async function loadSigningSeed(opts: { signingKey: string | null; keyFile: string }): Promise<Uint8Array> {
  return opts.signingKey ? Buffer.from(opts.signingKey, 'base64') : await keyFromFile(opts.keyFile)
}

/** The service identity of a key: did:web from the public URL's host, the key as a Multikey. */
export async function serviceIdentity(seed: Uint8Array, publicUrl: string): Promise<ServiceIdentity> {
  const publicKey = await getPublicKeyAsync(seed)
  const publicKeyMultibase = base58btc.encode(concat(ED25519_PUB_PREFIX, publicKey))
  const url = new URL(publicUrl)
  const did = `did:web:${encodeURIComponent(url.host)}`
  return {
    did,
    publicUrl: url.origin,
    publicKey,
    publicKeyMultibase,
    seed,
    didDocument: () => ({
      '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
      id: did,
      verificationMethod: [{ id: `${did}${SERVICE_KEY_ID}`, type: 'Multikey', controller: did, publicKeyMultibase }],
      assertionMethod: [`${did}${SERVICE_KEY_ID}`],
      service: [
        { id: '#bsky_fg', type: 'BskyFeedGenerator', serviceEndpoint: url.origin },
        { id: '#donottrain_indexer', type: 'DonottrainIndexer', serviceEndpoint: url.origin },
      ],
    }),
  }
}

/** Decodes a Multikey ed25519 public key (for verifiers and tests). */
export function decodeEd25519Multikey(multibase: string): Uint8Array {
  const bytes = base58btc.decode(multibase)
  if (bytes.length !== 34 || bytes[0] !== 0xed || bytes[1] !== 0x01) {
    throw new ServiceKeyError('not an ed25519-pub multikey')
  }
  return bytes.slice(2)
}

async function keyFromFile(path: string): Promise<Uint8Array> {
  let text: string | undefined
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ServiceKeyError(`cannot read signing key file path=${path}`, { cause: err })
    }
  }
  if (text !== undefined) {
    const seed = Buffer.from(text.trim(), 'base64')
    if (seed.length !== 32 || !/^[A-Za-z0-9+/]{43}=$/.test(text.trim())) {
      throw new ServiceKeyError(`signing key file does not hold a base64 32-byte seed path=${path}`)
    }
    const mode = (await stat(path)).mode & 0o777
    if (mode & 0o077) await chmod(path, 0o600)
    return seed
  }
  const seed = randomBytes(32)
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  // 'wx': never overwrite a key another process wrote meanwhile.
  const file = await open(path, 'wx', 0o600)
  try {
    await file.writeFile(`${seed.toString('base64')}\n`)
  } finally {
    await file.close()
  }
  return seed
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}
