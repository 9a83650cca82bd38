import { type ExportableKeypair, P256Keypair, Secp256k1Keypair } from '@atproto/crypto'
import { Client as PlcClient } from '@did-plc/lib'

export type FixtureKeyType = 'secp256k1' | 'p256'

/** A generated account: a did:plc registered in the PLC directory, and the key its repo is signed with. */
export interface FixtureAccount {
  did: string
  handle: string
  keyType: FixtureKeyType
  /** The repo signing key: `verificationMethods.atproto` of the DID document. */
  signingKey: ExportableKeypair
  /** `did:key:…` of the signing key, as in the DID document. */
  didKey: string
}

export interface RegisterOptions {
  plcUrl: string
  handle: string
  keyType: FixtureKeyType
  /** The rotation key of the DID (a PDS's PLC rotation key); it signs the genesis operation. */
  rotationKey: ExportableKeypair
  /** The `#atproto_pds` service endpoint. */
  pdsEndpoint: string
  /** Reuse this signing key instead of creating one (e.g. a twin DID for a hostile frame). */
  signingKey?: ExportableKeypair
}

export function createKeypair(keyType: FixtureKeyType): Promise<ExportableKeypair> {
  return keyType === 'p256' ? P256Keypair.create({ exportable: true }) : Secp256k1Keypair.create({ exportable: true })
}

/**
 * Creates a did:plc in the directory with the signing key as `verificationMethods.atproto`, the
 * handle as `alsoKnownAs`, and the PDS service endpoint: the genesis operation a PDS submits.
 */
export async function registerAccount(opts: RegisterOptions): Promise<FixtureAccount> {
  const signingKey = opts.signingKey ?? (await createKeypair(opts.keyType))
  const plc = new PlcClient(opts.plcUrl)
  const did = await plc.createDid({
    signingKey: signingKey.did(),
    handle: opts.handle,
    pds: opts.pdsEndpoint,
    rotationKeys: [opts.rotationKey.did()],
    signer: opts.rotationKey,
  })
  return { did, handle: opts.handle, keyType: opts.keyType, signingKey, didKey: signingKey.did() }
}

/** Runs `fn` over `items` with at most `limit` calls in flight, keeping the order of results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>) {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i] as T, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}
