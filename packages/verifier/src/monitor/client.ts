import { type AiDonottrainDefs, type AiDonottrainLogDefs, ids } from '@donottrain/lexicon'
import { decodeBase58btc } from '../crypto/base58.js'
import { fromBase64 } from '../tlog/bytes.js'
import { MonitorError } from './errors.js'

/** Largest answer read from an indexer (a page of 1,000 changes with their views fits). */
export const MAX_MONITOR_RESPONSE_BYTES = 8 * 1024 * 1024

export type XrpcAnswer<T> = { ok: true; body: T } | { ok: false; status: number; error: string }

/**
 * The few indexer reads a monitor makes, bounded in time and size. A network failure, a 5xx or
 * an unreadable body throws MonitorError; a 4xx is an answer ({ ok: false, error }), since a log
 * refusing a proof is evidence.
 */
export class LogClient {
  constructor(
    readonly url: string,
    private readonly fetchFn: typeof globalThis.fetch,
    private readonly timeoutMs: number,
  ) {}

  async #get<T>(path: string, params: Record<string, string | number> = {}): Promise<XrpcAnswer<T>> {
    const url = new URL(path, this.url)
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v))
    let res: Response
    try {
      res = await this.fetchFn(url, { signal: AbortSignal.timeout(this.timeoutMs), redirect: 'error' })
    } catch (cause) {
      throw new MonitorError('unreachable', `indexer unreachable url=${url.origin}${url.pathname}`, { cause })
    }
    const text = await readCapped(res, url)
    if (res.status >= 500) throw new MonitorError('unreachable', `indexer answered ${res.status} path=${url.pathname}`)
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch (cause) {
      throw new MonitorError('bad-response', `answer is not json path=${url.pathname} status=${res.status}`, { cause })
    }
    if (res.ok) return { ok: true, body: body as T }
    const error = (body as { error?: unknown })?.error
    return { ok: false, status: res.status, error: typeof error === 'string' ? error : 'Unknown' }
  }

  async #must<T>(path: string, params: Record<string, string | number> = {}): Promise<T> {
    const answer = await this.#get<T>(path, params)
    if (!answer.ok) throw new MonitorError('bad-response', `indexer refused path=${path} error=${answer.error}`)
    return answer.body
  }

  /** The Ed25519 public key of the indexer's did:web document (its first Ed25519 Multikey). */
  async publicKey(): Promise<{ did: string; publicKey: Uint8Array }> {
    const doc = await this.#must<{ id?: unknown; verificationMethod?: unknown }>('/.well-known/did.json')
    const methods = Array.isArray(doc.verificationMethod) ? doc.verificationMethod : []
    for (const m of methods as Array<{ type?: unknown; publicKeyMultibase?: unknown }>) {
      if (m?.type !== 'Multikey' || typeof m.publicKeyMultibase !== 'string') continue
      let bytes: Uint8Array
      try {
        bytes = decodeBase58btc(m.publicKeyMultibase)
      } catch {
        continue
      }
      if (bytes.length === 34 && bytes[0] === 0xed && bytes[1] === 0x01) {
        return { did: typeof doc.id === 'string' ? doc.id : '', publicKey: bytes.slice(2) }
      }
    }
    throw new MonitorError('bad-response', 'the did document holds no ed25519 multikey')
  }

  checkpoint(): Promise<AiDonottrainLogDefs.CheckpointView> {
    return this.#must(`/xrpc/${ids.AiDonottrainLogGetCheckpoint}`)
  }

  async consistency(first: number, second: number): Promise<XrpcAnswer<Uint8Array[]>> {
    const a = await this.#get<{ hashes?: unknown }>(`/xrpc/${ids.AiDonottrainLogGetConsistencyProof}`, {
      first,
      second,
    })
    return a.ok ? { ok: true, body: hashes(a.body.hashes) } : a
  }

  async inclusion(
    by: { leafHash: string } | { index: number },
    treeSize: number,
  ): Promise<XrpcAnswer<{ leafIndex: number; leafHash: Uint8Array; hashes: Uint8Array[] }>> {
    const a = await this.#get<{ proof?: AiDonottrainLogDefs.InclusionProof }>(
      `/xrpc/${ids.AiDonottrainLogGetInclusionProof}`,
      { ...by, treeSize },
    )
    if (!a.ok) return a
    const p = a.body.proof
    const leafHash = typeof p?.leafHash === 'string' ? fromBase64(p.leafHash) : undefined
    if (!p || !Number.isSafeInteger(p.leafIndex) || !leafHash) {
      throw new MonitorError('bad-response', 'inclusion proof answer is malformed')
    }
    return { ok: true, body: { leafIndex: p.leafIndex, leafHash, hashes: hashes(p.hashes) } }
  }

  async entry(index: number): Promise<Uint8Array | undefined> {
    const body = await this.#must<{ entries?: AiDonottrainLogDefs.Entry[] }>(`/xrpc/${ids.AiDonottrainLogGetEntries}`, {
      start: index,
      limit: 1,
    })
    const e = body.entries?.[0]
    if (!e || e.index !== index) return undefined
    return fromBase64(e.leaf)
  }

  async changes(cursor: number, limit: number): Promise<{ changes: AiDonottrainDefs.DeclarationChange[] }> {
    const body = await this.#must<{ changes?: unknown }>(`/xrpc/${ids.AiDonottrainListDeclarations}`, {
      limit,
      ...(cursor > 0 && { cursor }),
    })
    if (!Array.isArray(body.changes)) throw new MonitorError('bad-response', 'listDeclarations answer has no changes')
    return { changes: body.changes as AiDonottrainDefs.DeclarationChange[] }
  }
}

function hashes(value: unknown): Uint8Array[] {
  if (!Array.isArray(value) || value.length > 128) throw new MonitorError('bad-response', 'proof hashes are malformed')
  return value.map((h) => {
    const bytes = typeof h === 'string' ? fromBase64(h) : undefined
    if (bytes?.length !== 32) throw new MonitorError('bad-response', 'proof hash is not 32 bytes')
    return bytes
  })
}

async function readCapped(res: Response, url: URL): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? '0')
  if (declared > MAX_MONITOR_RESPONSE_BYTES) {
    await res.body?.cancel()
    throw new MonitorError('bad-response', `answer too large bytes=${declared} path=${url.pathname}`)
  }
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for await (const chunk of (res.body ?? []) as unknown as AsyncIterable<Uint8Array>) {
      total += chunk.length
      if (total > MAX_MONITOR_RESPONSE_BYTES) {
        await res.body?.cancel()
        throw new MonitorError('bad-response', `answer too large path=${url.pathname}`)
      }
      chunks.push(chunk)
    }
  } catch (cause) {
    if (cause instanceof MonitorError) throw cause
    throw new MonitorError('unreachable', `answer cut off path=${url.pathname}`, { cause })
  }
  return Buffer.concat(chunks).toString('utf8')
}
