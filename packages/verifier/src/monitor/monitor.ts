import { type AiDonottrainDefs, err, ok, type Result } from '@donottrain/lexicon'
import { bytesEqual, fromBase64, toBase64 } from '../tlog/bytes.js'
import { openCheckpoint } from '../tlog/checkpoint.js'
import { decodeLeaf, encodeLeaf, leafFields } from '../tlog/leaf.js'
import { leafHash } from '../tlog/merkle.js'
import { formatVerifierKey } from '../tlog/note-key.js'
import { verifyConsistency, verifyInclusion } from '../tlog/proof-verify.js'
import { LogClient } from './client.js'
import { MonitorError, MonitorViolation } from './errors.js'
import type { MonitorState } from './state.js'

export interface MonitorOptions {
  /** The indexer's base URL. */
  indexerUrl: string
  /** The last checkpoint seen (a previous run's `state`). */
  previous?: MonitorState
  /** An account whose current declarations must be in the log. */
  did?: string
  /** A second vantage point on the same log (another URL, proxy or network path): must not see another tree. */
  compareUrl?: string
  /** fetch for the indexer URLs, which you configured (default globalThis.fetch). */
  fetch?: typeof globalThis.fetch
  /** Cap on each request. Default 15 s. */
  timeoutMs?: number
  /** Most changes of the declarations feed read for `did`. Default 1,000,000. */
  maxChanges?: number
  now?: () => number
}

interface SeenCheckpoint {
  origin: string
  size: number
  rootHash: Uint8Array
  note: string
}

export interface MonitorReport {
  indexer: string
  /** No violation. */
  ok: boolean
  violations: MonitorViolation[]
  /** The checkpoint verified this run (absent when it did not verify). */
  checkpoint?: { origin: string; size: number; rootHash: string }
  previous?: { size: number; rootHash: string }
  compare?: { indexer: string; size: number; rootHash: string }
  /** `did`'s current declarations proven in the checkpoint. */
  included: Array<{ uri: string; leafIndex: number }>
  /** `did`'s changes newer than the checkpoint (not covered yet: not a violation). */
  pending: string[]
  /** What to remember: the new checkpoint when there was no violation, else the previous state. */
  state: MonitorState | undefined
}

const DEFAULT_TIMEOUT_MS = 15_000
const DEFAULT_MAX_CHANGES = 1_000_000
const PAGE = 1000

/**
 * One monitoring pass over a transparency log: verifies the newest checkpoint with the key of the
 * indexer's did:web document, that it extends the last checkpoint seen (consistency proof; never
 * smaller, never another root at the same size), optionally that another vantage point sees the
 * same log, and that an account's current declarations are in it (their leaves, recomputed from
 * the declarations feed with the shared leaf encoding, have inclusion proofs). Violations are in
 * the report; an indexer that cannot be asked is a MonitorError.
 */
export async function runMonitor(options: MonitorOptions): Promise<Result<MonitorReport, MonitorError>> {
  try {
    return ok(await monitor(options))
  } catch (e) {
    if (e instanceof MonitorError) return err(e)
    throw e
  }
}

async function monitor(options: MonitorOptions): Promise<MonitorReport> {
  const fetchFn = options.fetch ?? globalThis.fetch
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const client = new LogClient(options.indexerUrl, fetchFn, timeoutMs)
  const prev = options.previous
  const report: MonitorReport = {
    indexer: options.indexerUrl,
    ok: false,
    violations: [],
    included: [],
    pending: [],
    state: prev,
    ...(prev && { previous: { size: prev.size, rootHash: prev.rootHash } }),
  }
  const violate = (v: MonitorViolation) => report.violations.push(v)

  const { publicKey } = await client.publicKey()
  const view = await client.checkpoint()
  const origin = typeof view.origin === 'string' ? view.origin : ''
  let verifierKey: string
  try {
    verifierKey = formatVerifierKey(origin, publicKey)
  } catch {
    throw new MonitorError('bad-response', `checkpoint origin is not a key name origin=${JSON.stringify(origin)}`)
  }
  const cp = await open(view.note, verifierKey, origin)
  if (!cp) {
    violate(
      new MonitorViolation('bad-signature', 'the checkpoint does not verify with the key in did.json', { origin }),
    )
    return finish(report)
  }
  report.checkpoint = { origin, size: cp.size, rootHash: toBase64(cp.rootHash) }

  if (prev) {
    if (prev.verifierKey !== verifierKey) {
      violate(
        new MonitorViolation('key-changed', 'the log is signed by another key (or has another origin) than before', {
          before: prev.verifierKey,
          now: verifierKey,
        }),
      )
    }
    await extends_(client, prev, cp, violate)
  }
  if (options.compareUrl !== undefined) {
    await compare(new LogClient(options.compareUrl, fetchFn, timeoutMs), client, cp, verifierKey, report)
  }
  if (options.did !== undefined && cp.size > 0) {
    await included(client, options.did, cp, options.maxChanges ?? DEFAULT_MAX_CHANGES, report)
  }
  if (report.violations.length === 0) {
    report.state = {
      version: 1,
      indexer: options.indexerUrl,
      origin,
      verifierKey,
      size: cp.size,
      rootHash: toBase64(cp.rootHash),
      note: cp.note,
      seenAt: new Date((options.now ?? Date.now)()).toISOString(),
    }
  }
  return finish(report)
}

function finish(report: MonitorReport): MonitorReport {
  report.ok = report.violations.length === 0
  return report
}

async function open(note: unknown, verifierKey: string, origin: string): Promise<SeenCheckpoint | undefined> {
  if (typeof note !== 'string') return undefined
  const opened = await openCheckpoint(note, verifierKey, { origin })
  if (!opened.ok) return undefined
  return { origin, size: opened.value.checkpoint.size, rootHash: opened.value.checkpoint.rootHash, note }
}

/** The new checkpoint must extend the previous one. */
async function extends_(
  client: LogClient,
  prev: MonitorState,
  cp: SeenCheckpoint,
  violate: (v: MonitorViolation) => void,
): Promise<void> {
  const prevRoot = fromBase64(prev.rootHash) as Uint8Array
  const details = { before: prev.size, now: cp.size }
  if (cp.size < prev.size) {
    violate(new MonitorViolation('rollback', `the tree shrank from ${prev.size} to ${cp.size} leaves`, details))
    return
  }
  if (cp.size === prev.size) {
    if (!bytesEqual(prevRoot, cp.rootHash)) {
      violate(new MonitorViolation('fork', `two roots for the tree of ${cp.size} leaves`, details))
    }
    return
  }
  if (prev.size === 0) return
  const proof = await client.consistency(prev.size, cp.size)
  const valid = proof.ok && verifyConsistency(prev.size, cp.size, prevRoot, cp.rootHash, proof.body).ok
  if (!valid) {
    const why = proof.ok ? 'the consistency proof does not verify' : `no consistency proof (${proof.error})`
    violate(
      new MonitorViolation(
        'inconsistent',
        `the tree of ${cp.size} leaves does not extend the one of ${prev.size}: ${why}`,
        details,
      ),
    )
  }
}

/** A second vantage point must see the same log: same key, and trees one of which extends the other. */
async function compare(
  other: LogClient,
  primary: LogClient,
  cp: SeenCheckpoint,
  verifierKey: string,
  report: MonitorReport,
): Promise<void> {
  const view = await other.checkpoint()
  const seen = await open(view.note, verifierKey, cp.origin)
  if (!seen) {
    report.violations.push(
      new MonitorViolation(
        'split-view',
        'the other vantage point shows a checkpoint that does not verify with the key',
        {
          compare: other.url,
        },
      ),
    )
    return
  }
  report.compare = { indexer: other.url, size: seen.size, rootHash: toBase64(seen.rootHash) }
  const details = { size: cp.size, compareSize: seen.size, compare: other.url }
  if (seen.size === cp.size) {
    if (!bytesEqual(seen.rootHash, cp.rootHash)) {
      report.violations.push(new MonitorViolation('split-view', `two roots for the tree of ${cp.size} leaves`, details))
    }
    return
  }
  const [small, large, asked] = seen.size < cp.size ? [seen, cp, primary] : [cp, seen, other]
  if (small.size === 0) return
  const proof = await asked.consistency(small.size, large.size)
  if (!proof.ok || !verifyConsistency(small.size, large.size, small.rootHash, large.rootHash, proof.body).ok) {
    report.violations.push(
      new MonitorViolation(
        'split-view',
        `the two vantage points' trees (${cp.size}, ${seen.size}) are inconsistent`,
        details,
      ),
    )
  }
}

/** Every current declaration of `did` as of the checkpoint must have its leaf in the checkpoint's tree. */
async function included(
  client: LogClient,
  did: string,
  cp: SeenCheckpoint,
  maxChanges: number,
  report: MonitorReport,
): Promise<void> {
  // The checkpoint's last leaf names the last change it covers (its inclusion is checked too).
  const lastIndex = cp.size - 1
  const last = await client.entry(lastIndex)
  const lastLeaf = last && decodeLeaf(last)
  const lastProof = last && (await client.inclusion({ index: lastIndex }, cp.size))
  if (
    !last ||
    !lastLeaf?.ok ||
    !lastProof?.ok ||
    !verifyInclusion(leafHash(last), lastIndex, cp.size, lastProof.body.hashes, cp.rootHash).ok
  ) {
    report.violations.push(
      new MonitorViolation('bad-proof', `the checkpoint's last leaf is not served or not proven index=${lastIndex}`),
    )
    return
  }
  const boundary = lastLeaf.value.seq
  const current = new Map<string, AiDonottrainDefs.DeclarationChange>()
  const pending = new Set<string>()
  let cursor = 0
  let read = 0
  for (;;) {
    const { changes } = await client.changes(cursor, PAGE)
    if (changes.length === 0) break
    for (const c of changes) {
      if (!Number.isSafeInteger(c.seq) || c.seq <= cursor) {
        throw new MonitorError('bad-response', `declarations feed out of order seq=${c.seq}`)
      }
      cursor = c.seq
      if (c.did !== did) continue
      if (c.seq > boundary) {
        if (c.uri) pending.add(c.uri)
        continue
      }
      if ((c.kind === 'create' || c.kind === 'update') && c.uri) current.set(c.uri, c)
      else if (c.kind === 'delete' && c.uri) current.delete(c.uri)
      else if (c.kind === 'purge') current.clear()
    }
    read += changes.length
    if (read > maxChanges) throw new MonitorError('too-large', `declarations feed longer than maxChanges=${maxChanges}`)
  }
  report.pending = [...pending]
  for (const [uri, c] of current) {
    const leaf = encodeLeaf(
      leafFields({
        seq: c.seq,
        kind: c.kind,
        did: c.did,
        uri: c.uri ?? null,
        cid: c.cid ?? null,
        rev: c.rev ?? null,
        indexed_at: c.indexedAt,
      }),
    )
    const hash = leafHash(leaf)
    const proof = await client.inclusion({ leafHash: toBase64(hash) }, cp.size)
    if (proof.ok && verifyInclusion(hash, proof.body.leafIndex, cp.size, proof.body.hashes, cp.rootHash).ok) {
      report.included.push({ uri, leafIndex: proof.body.leafIndex })
      continue
    }
    const why = proof.ok ? 'its inclusion proof does not verify' : `the log has no such leaf (${proof.error})`
    report.violations.push(
      new MonitorViolation('missing-leaf', `a current declaration is not in the log: ${why} uri=${uri}`, {
        uri,
        seq: c.seq,
        leafHash: toBase64(hash),
      }),
    )
  }
}
