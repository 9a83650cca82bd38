/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { getAtprotoKey, parseDidDocument, verifyRecordProof } from '@donottrain/verifier'

export type ProofCheck = { ok: true; rev: string } | { ok: false; reason: string }

export interface ProofCheckOptions {
  /** The indexer's ai.donottrain.getProof endpoint URL. */
  proofEndpoint: string
  /** PLC directory for did:plc documents. */
  plcUrl: string
}

/**
 * Fetches a declaration's proof from the indexer and verifies it here, in the browser: the CAR's
 * commit is signed by the account's current atproto key (from its DID document, fetched by the
 * page itself, not from the indexer), the MST path leads to the record, and the record is the
 * version (CID) the indexer named.
 */
export async function checkDeclarationProof(
  decl: { uri: string; cid: string; did: string },
  opts: ProofCheckOptions,
): Promise<ProofCheck> {
  const parts = /^at:\/\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(decl.uri)
  if (!parts || parts[1] !== decl.did) return { ok: false, reason: 'not a record uri of this account' }
  const [, did, collection, rkey] = parts as unknown as [string, string, string, string]
  const url = new URL(opts.proofEndpoint, location.href)
  url.searchParams.set('uri', decl.uri)
  const res = await fetch(url)
  if (!res.ok) return { ok: false, reason: `the indexer gave no proof (HTTP ${res.status})` }
  const car = new Uint8Array(await res.arrayBuffer())
  const resolver = { resolveAtprotoKey: (d: string) => atprotoKey(d, opts.plcUrl) }
  const proof = await verifyRecordProof(car, { did, collection, rkey, resolver })
  if (!proof.ok) {
    const cause = proof.error.cause instanceof Error ? ` (${proof.error.cause.message})` : ''
    return { ok: false, reason: `${proof.error.message}${cause}` }
  }
  if (proof.value.recordCid !== decl.cid) return { ok: false, reason: 'the proof is of another version of the record' }
  return { ok: true, rev: proof.value.commit.rev }
}

type KeyResult = Awaited<
  ReturnType<NonNullable<Parameters<typeof verifyRecordProof>[1]['resolver']>['resolveAtprotoKey']>
>

/** The #atproto key of a did:plc (from the PLC directory) or did:web document, read by the verifier's own rules. */
async function atprotoKey(did: string, plcUrl: string): Promise<KeyResult> {
  const fail = (message: string): KeyResult => ({ ok: false, error: new Error(message) })
  let url: string
  if (did.startsWith('did:plc:')) url = `${plcUrl.replace(/\/$/, '')}/${encodeURIComponent(did)}`
  else if (did.startsWith('did:web:')) url = `https://${decodeURIComponent(did.slice(8))}/.well-known/did.json`
  else return fail(`unsupported did method did=${did}`)
  let doc: unknown
  try {
    const res = await fetch(url)
    if (!res.ok) return fail(`did document not found did=${did} status=${res.status}`)
    doc = await res.json()
  } catch (cause) {
    return fail(`did document unreachable did=${did} cause=${String(cause)}`)
  }
  const parsed = parseDidDocument(doc, did)
  return parsed.ok ? getAtprotoKey(parsed.value) : parsed
}
