import { AiDonottrainDefs, err, ids, ok, type Result } from '@donottrain/lexicon'
import { MAX_PROOF_BYTES } from '../pds/pds-client.js'

/** Most subjects per ai.donottrain.checkSubjects call (the lexicon's maxLength). */
export const MAX_CHECK_BATCH = 1000
/** Cap on one checkSubjects answer (1,000 statuses with their declarations). */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024

export type IndexerErrorCode =
  | 'Unreachable' // network failure or timeout
  | 'HttpError' // a non-2xx answer
  | 'MalformedAnswer' // not the shape the lexicon promises (or results out of order)
  | 'NotFound' // getProof: the indexer holds no proof for that URI

export class IndexerError extends Error {
  override name = 'IndexerError'
  constructor(
    readonly code: IndexerErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

export type StatusAnswer =
  | { ok: true; status: AiDonottrainDefs.StatusView }
  | { ok: false; error: AiDonottrainDefs.SubjectError }

const fail = (code: IndexerErrorCode, message: string, cause?: unknown) =>
  err(new IndexerError(code, message, cause === undefined ? undefined : { cause }))

/** The indexer's XRPC API as a checker uses it: checkSubjects and getProof. */
export class IndexerClient {
  readonly url: string

  constructor(
    url: string,
    private readonly fetch: typeof globalThis.fetch,
    private readonly timeoutMs: number,
  ) {
    this.url = url.replace(/\/+$/, '')
  }

  /** One ai.donottrain.checkSubjects call: an answer per subject, in input order. */
  async checkSubjects(subjects: readonly string[]): Promise<Result<StatusAnswer[], IndexerError>> {
    if (subjects.length === 0 || subjects.length > MAX_CHECK_BATCH) {
      throw new RangeError(`a checkSubjects batch holds 1 to ${MAX_CHECK_BATCH} subjects count=${subjects.length}`)
    }
    const body = await this.#call(
      ids.AiDonottrainCheckSubjects,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ subjects }),
      },
      MAX_ANSWER_BYTES,
    )
    if (!body.ok) return body
    let answer: unknown
    try {
      answer = JSON.parse(new TextDecoder().decode(body.value))
    } catch (cause) {
      return fail('MalformedAnswer', 'checkSubjects answer is not json', cause)
    }
    const results = (answer as { results?: unknown })?.results
    if (!Array.isArray(results) || results.length !== subjects.length) {
      return fail(
        'MalformedAnswer',
        `checkSubjects answered ${Array.isArray(results) ? results.length : 'no'} results for ${subjects.length} subjects`,
      )
    }
    const out: StatusAnswer[] = []
    for (const [i, item] of results.entries()) {
      const read = readAnswer(item)
      if (read === undefined)
        return fail('MalformedAnswer', `checkSubjects result is neither a statusView nor a subjectError index=${i}`)
      const input = read.ok ? read.status.subject.input : read.error.input
      if (input !== subjects[i]) return fail('MalformedAnswer', `checkSubjects results are out of order index=${i}`)
      out.push(read)
    }
    return ok(out)
  }

  /** The proof CAR the indexer stores for a declaration (ai.donottrain.getProof). */
  getProof(uri: string): Promise<Result<Uint8Array, IndexerError>> {
    const query = new URLSearchParams({ uri })
    return this.#call(
      `${ids.AiDonottrainGetProof}?${query}`,
      { headers: { accept: 'application/vnd.ipld.car' } },
      MAX_PROOF_BYTES,
    )
  }

  async #call(path: string, init: RequestInit, maxBytes: number): Promise<Result<Uint8Array, IndexerError>> {
    const url = `${this.url}/xrpc/${path}`
    const method = path.split('?')[0]
    let res: Response
    try {
      res = await this.fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(this.timeoutMs) })
    } catch (cause) {
      return fail(
        'Unreachable',
        `indexer unreachable url=${this.url} method=${method} reason=${reasonOf(cause)}`,
        cause,
      )
    }
    if (!res.ok) {
      const text = await readCapped(res, 4096).catch(() => undefined)
      const error = text && safeJson(new TextDecoder().decode(text))?.error
      const code = res.status === 400 && error === 'DeclarationNotFound' ? 'NotFound' : 'HttpError'
      return fail(code, `indexer answered status=${res.status}${error ? ` error=${error}` : ''} method=${method}`)
    }
    try {
      const bytes = await readCapped(res, maxBytes)
      if (bytes === undefined)
        return fail('MalformedAnswer', `indexer answer too large max_bytes=${maxBytes} method=${method}`)
      return ok(bytes)
    } catch (cause) {
      return fail('Unreachable', `indexer answer broke off method=${method} reason=${reasonOf(cause)}`, cause)
    }
  }
}

function readAnswer(item: unknown): StatusAnswer | undefined {
  if (typeof item !== 'object' || item === null) return undefined
  const type = (item as { $type?: unknown }).$type
  if (
    type === `${ids.AiDonottrainDefs}#subjectError` ||
    (type === undefined && 'error' in item && !('verdict' in item))
  ) {
    const res = AiDonottrainDefs.validateSubjectError(item)
    return res.success ? { ok: false, error: res.value as AiDonottrainDefs.SubjectError } : undefined
  }
  if (type !== undefined && type !== `${ids.AiDonottrainDefs}#statusView`) return undefined
  const res = AiDonottrainDefs.validateStatusView(item)
  return res.success ? { ok: true, status: res.value as AiDonottrainDefs.StatusView } : undefined
}

async function readCapped(res: Response, max: number): Promise<Uint8Array | undefined> {
  const declared = Number(res.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel().catch(() => {})
    return undefined
  }
  const reader = res.body?.getReader()
  if (reader === undefined) return new Uint8Array()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > max) {
      await reader.cancel().catch(() => {})
      return undefined
    }
    chunks.push(value)
  }
  return new Uint8Array(Buffer.concat(chunks, size))
}

function safeJson(text: string): { error?: unknown } | undefined {
  try {
    return JSON.parse(text) as { error?: unknown }
  } catch {
    return undefined
  }
}

function reasonOf(cause: unknown): string {
  const e = cause as { name?: string; cause?: { code?: string } }
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout'
  return e?.cause?.code ?? e?.name ?? 'network'
}
