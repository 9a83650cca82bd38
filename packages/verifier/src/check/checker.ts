import { err, isPurpose, ok, type Purpose, parseSubject, type Result, type Verdict } from '@donottrain/lexicon'
import { BoundedCache } from '../crypto/bounded-cache.js'
import type { DidDocument } from '../identity/did-document.js'
import type { ResolveOptions } from '../identity/did-resolver.js'
import { HandleResolver } from '../identity/handle-resolver.js'
import type { ResolveError } from '../identity/resolve-error.js'
import { type SafeFetch, SafeFetcher } from '../identity/ssrf.js'
import type { KeyResolver } from '../proof/types.js'
import { receiptFor, unprovenReceipt } from '../receipt/make-receipt.js'
import { openCheckpoint } from '../tlog/checkpoint.js'
import type { CheckError } from './errors.js'
import { evaluateFromPds } from './evaluate-pds.js'
import { IndexerClient, type IndexerError, MAX_CHECK_BATCH } from './indexer-client.js'
import { mapLimit } from './limit.js'
import { verifyOriginBinding } from './origin-binding.js'
import { resolveSubject } from './subject.js'
import type {
  CheckBasis,
  CheckedSubject,
  Evaluation,
  FailMode,
  IndexerStatement,
  LocalSubject,
  SubjectCheck,
} from './types.js'
import { verifyStatus } from './verify-status.js'

export const DEFAULT_CHECK_CACHE_TTL_MS = 5 * 60 * 1000
export const DEFAULT_CHECK_CACHE_SIZE = 10_000
const DEFAULT_INDEXER_TIMEOUT_MS = 30_000
const DEFAULT_CONCURRENCY = 8

/** DID documents and keys: a DidResolver. */
export interface CheckerResolver extends KeyResolver {
  resolve(did: string, opts?: ResolveOptions): Promise<Result<DidDocument, ResolveError>>
}

export interface CheckerOptions {
  /** The indexer (its XRPC base URL). Without one, every subject is answered by its PDS. */
  indexerUrl?: string
  /** DID documents and atproto keys, e.g. a DidResolver (its cache is the checker's DID cache). */
  resolver: CheckerResolver
  /** handle → DID; default a HandleResolver (DNS, then HTTPS well-known through the SSRF guard). */
  resolveHandle?: (handle: string) => Promise<Result<string, Error>>
  /** How long a proven answer is reused. Default 5 min; 0 turns the cache off. */
  cacheTtlMs?: number
  /** Most subjects cached. Default 10,000. */
  maxCacheSize?: number
  /** What an answer that cannot be proven (indexer and PDS unreachable) counts as: closed = deny (default), open = allow. */
  failMode?: FailMode
  /** fetch for the indexer, which you configured (default globalThis.fetch). */
  fetch?: typeof globalThis.fetch
  /** fetch for PDSes and origins named by DID documents and handles; default an SSRF-guarded SafeFetcher. */
  pdsFetch?: SafeFetch
  /** Subjects per checkSubjects call, 1 to 1,000 (default 1,000). */
  batchSize?: number
  /** Cap on each indexer request. Default 30 s. */
  timeoutMs?: number
  /** Proofs and PDS requests in flight at once. Default 8. */
  concurrency?: number
  /**
   * The indexer's signed statement to attach to receipts of its answers: returns a signed note
   * (e.g. its latest tlog checkpoint), which must verify with `indexerKey`.
   */
  statement?: () => Promise<string | undefined>
  /** The indexer's note verifier key (`<name>+<id>+<key>`), for `statement`. */
  indexerKey?: string
  /** Clock, for tests. */
  now?: () => number
}

export interface CheckOptions {
  /** The purpose asked about. Default trainAi. */
  purpose?: Purpose
  /** Attach a receipt to every result. */
  receipts?: boolean
}

type Unproven = { unproven: true; subject?: LocalSubject }
type Outcome = { evaluation: Evaluation; cached: boolean } | Unproven | { error: CheckError }
type CacheEntry = { evaluation: Evaluation; expiresAt: number }

/** A subject that parsed but could not be resolved (its identity was unreachable). */
const unresolved = (input: string): CheckedSubject => {
  const parsed = parseSubject(input)
  return { input, kind: parsed.ok ? parsed.value.kind : 'account' }
}

const UNKNOWN: Verdict = { trainAi: 'unknown', trainGenai: 'unknown', aiInput: 'unknown', search: 'unknown' }

/**
 * Checks many subjects for a crawler without trusting the indexer: answers come from
 * `ai.donottrain.checkSubjects` in batches, and each is believed only once every declaration it
 * rests on is proven (ai.donottrain.getProof, verified against the DID document) and the verdict
 * recomputed from them matches. An answer that cannot be believed, or an indexer that cannot be
 * reached, is answered from the account's own PDS (proofs from com.atproto.sync.getRecord).
 * When neither can prove an answer, `failMode` decides: closed treats it as denied, open as
 * allowed; the result says which. Proven answers are cached for `cacheTtlMs`.
 */
export class Checker {
  readonly failMode: FailMode
  readonly #indexer: IndexerClient | undefined
  readonly #resolver: CheckerResolver
  readonly #resolveHandle: (handle: string) => Promise<Result<string, Error>>
  readonly #pdsFetch: SafeFetch
  readonly #owned: { close(): Promise<void> }[] = []
  readonly #cache: BoundedCache<string, CacheEntry>
  readonly #ttlMs: number
  readonly #batchSize: number
  readonly #concurrency: number
  readonly #statement: (() => Promise<string | undefined>) | undefined
  readonly #indexerKey: string | undefined
  readonly #now: () => number

  constructor(options: CheckerOptions) {
    const batchSize = options.batchSize ?? MAX_CHECK_BATCH
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_CHECK_BATCH) {
      throw new RangeError(`batchSize must be 1 to ${MAX_CHECK_BATCH} batchSize=${batchSize}`)
    }
    const failMode = options.failMode ?? 'closed'
    if (failMode !== 'closed' && failMode !== 'open')
      throw new TypeError(`failMode must be closed or open failMode=${failMode}`)
    if (options.statement !== undefined && options.indexerKey === undefined) {
      throw new TypeError('a statement source needs the indexerKey to verify it with')
    }
    this.failMode = failMode
    this.#batchSize = batchSize
    this.#resolver = options.resolver
    if (options.indexerUrl !== undefined) {
      const url = new URL(options.indexerUrl)
      if (url.protocol !== 'https:' && url.protocol !== 'http:')
        throw new TypeError(`indexerUrl must be http(s) url=${url}`)
      this.#indexer = new IndexerClient(
        options.indexerUrl,
        options.fetch ?? globalThis.fetch,
        options.timeoutMs ?? DEFAULT_INDEXER_TIMEOUT_MS,
      )
    }
    if (options.pdsFetch === undefined) {
      const fetcher = new SafeFetcher()
      this.#owned.push(fetcher)
      this.#pdsFetch = fetcher.fetch
    } else {
      this.#pdsFetch = options.pdsFetch
    }
    if (options.resolveHandle === undefined) {
      const handles = new HandleResolver({ fetch: this.#pdsFetch })
      this.#resolveHandle = (handle) => handles.resolve(handle)
    } else {
      this.#resolveHandle = options.resolveHandle
    }
    this.#ttlMs = options.cacheTtlMs ?? DEFAULT_CHECK_CACHE_TTL_MS
    this.#cache = new BoundedCache(options.maxCacheSize ?? DEFAULT_CHECK_CACHE_SIZE)
    this.#concurrency = options.concurrency ?? DEFAULT_CONCURRENCY
    this.#statement = options.statement
    this.#indexerKey = options.indexerKey
    this.#now = options.now ?? Date.now
  }

  /**
   * One result per subject, in input order: the verdict for the purpose and how it was reached,
   * or a CheckError for a subject that is not one (InvalidSubject) or names no account
   * (UnresolvableSubject). An unreachable indexer or PDS is not an error: see failMode.
   */
  async check(subjects: readonly string[], opts: CheckOptions = {}): Promise<Result<SubjectCheck, CheckError>[]> {
    const purpose = opts.purpose ?? 'trainAi'
    if (!isPurpose(purpose)) throw new TypeError(`unknown purpose purpose=${String(purpose)}`)
    const outcomes = new Map<string, Outcome>()
    const notes = new Map<string, string[]>()
    const misses: string[] = []
    for (const input of new Set(subjects)) {
      const hit = this.#cache.get(input)
      if (hit !== undefined && hit.expiresAt > this.#now())
        outcomes.set(input, { evaluation: hit.evaluation, cached: true })
      else misses.push(input)
    }
    if (misses.length > 0) await this.#evaluate(misses, outcomes, notes)
    return subjects.map((input) =>
      this.#result(input, outcomes.get(input) as Outcome, notes.get(input) ?? [], purpose, opts),
    )
  }

  /** Forgets every cached answer. */
  clearCache(): void {
    this.#cache.clear()
  }

  /** Closes the fetcher the checker created (an injected one, and the resolver, are the caller's). */
  async close(): Promise<void> {
    await Promise.all(this.#owned.map((o) => o.close()))
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  async #evaluate(inputs: string[], outcomes: Map<string, Outcome>, notes: Map<string, string[]>): Promise<void> {
    const note = (input: string, text: string) => notes.set(input, [...(notes.get(input) ?? []), text])
    const accounts = { dids: this.#resolver, resolveHandle: this.#resolveHandle }
    const resolved = await mapLimit(inputs, this.#concurrency, (input) => resolveSubject(input, accounts))
    const local = new Map<string, LocalSubject>()
    for (const [i, result] of resolved.entries()) {
      const input = inputs[i] as string
      if (result.ok) local.set(input, result.value)
      else if (result.error.code === 'IdentityUnreachable') {
        note(input, `identity unreachable: ${result.error.message}`)
        outcomes.set(input, { unproven: true })
      } else outcomes.set(input, { error: result.error })
    }
    const checkedAt = new Date(this.#now()).toISOString()
    let toPds = [...local.keys()]
    if (this.#indexer !== undefined && toPds.length > 0) {
      toPds = await this.#fromIndexer(this.#indexer, local, outcomes, note, checkedAt)
    }
    await mapLimit(toPds, this.#concurrency, async (input) => {
      const subject = local.get(input) as LocalSubject
      if (subject.subject.kind === 'web') {
        note(input, 'web subjects are answered only by an indexer')
        outcomes.set(input, { unproven: true, subject })
        return
      }
      const answer = await evaluateFromPds(subject, {
        resolver: this.#resolver,
        fetch: this.#pdsFetch,
        concurrency: this.#concurrency,
      })
      if (answer.ok) {
        this.#remember(input, { ...answer.value, checkedAt }, outcomes)
      } else {
        note(input, `pds did not prove an answer (${answer.error.code}): ${answer.error.message}`)
        outcomes.set(input, { unproven: true, subject })
      }
    })
  }

  /** Asks the indexer; returns the subjects whose answers could not be had or believed. */
  async #fromIndexer(
    indexer: IndexerClient,
    local: Map<string, LocalSubject>,
    outcomes: Map<string, Outcome>,
    note: (input: string, text: string) => void,
    checkedAt: string,
  ): Promise<string[]> {
    const inputs = [...local.keys()]
    const fallback = new Set<string>()
    const proofs = new Map<string, Promise<Result<Uint8Array, IndexerError>>>()
    const getProof = (uri: string) => {
      let pending = proofs.get(uri)
      if (pending === undefined) {
        pending = indexer.getProof(uri)
        proofs.set(uri, pending)
      }
      return pending
    }
    const deps = {
      getProof,
      resolver: this.#resolver,
      concurrency: this.#concurrency,
      verifyOrigin: (origin: string, did: string) =>
        verifyOriginBinding(origin, did, {
          dids: this.#resolver,
          resolveHandle: this.#resolveHandle,
          fetch: this.#pdsFetch,
        }),
    }
    let statement: IndexerStatement | undefined
    let statementAsked = false
    for (let start = 0; start < inputs.length; start += this.#batchSize) {
      const batch = inputs.slice(start, start + this.#batchSize)
      const answers = await indexer.checkSubjects(batch)
      if (!answers.ok) {
        for (const input of batch)
          note(input, `indexer did not answer (${answers.error.code}): ${answers.error.message}`)
        for (const input of batch) fallback.add(input)
        continue
      }
      if (!statementAsked) {
        statementAsked = true
        statement = await this.#fetchStatement(inputs, note)
      }
      await mapLimit(answers.value, this.#concurrency, async (answer, i) => {
        const input = batch[i] as string
        if (!answer.ok) {
          note(input, `indexer could not answer (${answer.error.error}): ${answer.error.message ?? ''}`.trim())
          fallback.add(input)
          return
        }
        const verified = await verifyStatus(answer.status, local.get(input) as LocalSubject, deps)
        if (!verified.ok) {
          note(input, `indexer answer not believed (${verified.error.code}): ${verified.error.message}`)
          fallback.add(input)
          return
        }
        this.#remember(
          input,
          { ...verified.value, checkedAt, indexer: indexer.url, ...(statement !== undefined ? { statement } : {}) },
          outcomes,
        )
      })
    }
    return inputs.filter((input) => fallback.has(input))
  }

  async #fetchStatement(inputs: string[], note: (input: string, text: string) => void) {
    if (this.#statement === undefined || this.#indexerKey === undefined) return undefined
    const key = this.#indexerKey
    let text: string | undefined
    try {
      text = await this.#statement()
    } catch (cause) {
      for (const input of inputs) note(input, `indexer statement unavailable: ${(cause as Error)?.message ?? cause}`)
      return undefined
    }
    if (text === undefined) return undefined
    const opened = await openCheckpoint(text, key)
    if (!opened.ok) {
      for (const input of inputs) note(input, `indexer statement rejected: ${opened.error.message}`)
      return undefined
    }
    return { note: text, key }
  }

  #remember(input: string, evaluation: Evaluation, outcomes: Map<string, Outcome>): void {
    outcomes.set(input, { evaluation, cached: false })
    if (this.#ttlMs > 0) this.#cache.set(input, { evaluation, expiresAt: this.#now() + this.#ttlMs })
  }

  #result(
    input: string,
    outcome: Outcome,
    notes: string[],
    purpose: Purpose,
    opts: CheckOptions,
  ): Result<SubjectCheck, CheckError> {
    if ('error' in outcome) return err(outcome.error)
    if ('unproven' in outcome) {
      const basis: CheckBasis = this.failMode === 'closed' ? 'fail-closed' : 'fail-open'
      const checkedAt = new Date(this.#now()).toISOString()
      const subject = outcome.subject?.subject
      return ok({
        input,
        ...(subject !== undefined ? { subject } : {}),
        purpose,
        verdict: 'unknown',
        verdicts: { ...UNKNOWN },
        allowed: this.failMode === 'open',
        basis,
        cached: false,
        checkedAt,
        declarations: [],
        notes,
        ...(opts.receipts
          ? { receipt: unprovenReceipt(subject ?? unresolved(input), purpose, basis, checkedAt, { ...UNKNOWN }) }
          : {}),
      })
    }
    const { evaluation, cached } = outcome
    const verdict = evaluation.verdict[purpose]
    const allowed = verdict !== 'deny'
    return ok({
      input,
      subject: evaluation.subject,
      purpose,
      verdict,
      verdicts: { ...evaluation.verdict },
      allowed,
      basis: evaluation.basis,
      cached,
      checkedAt: evaluation.checkedAt,
      declarations: evaluation.declarations.map(({ proof: _proof, ...rest }) => rest),
      notes: [...notes, ...(evaluation.truncated ? ['the account has more declaration records than were read'] : [])],
      ...(opts.receipts ? { receipt: receiptFor(evaluation, purpose, allowed) } : {}),
    })
  }
}
