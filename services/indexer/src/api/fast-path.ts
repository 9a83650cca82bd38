import type { IncomingMessage, ServerResponse } from 'node:http'
import { InvalidRequestError, XRPCError } from '@atproto/xrpc-server'
import { ids, lexicons } from '@donottrain/lexicon'
import type { ApiContext } from './context.js'
import { json } from './server.js'
import { statusOf } from './status.js'
import { isStatusView } from './status-view-check.js'

/** A UTF-16 surrogate without its pair (such a string has no single UTF-8 length). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Bodies checkSubjects reads: 1000 subjects of up to 8 KiB each, as JSON (as its xrpc route). */
const CHECK_SUBJECTS_LIMIT = 9 * 1024 * 1024
const JSON_TYPES = new Set(['application/json', 'application/json; charset=utf-8', 'application/json;charset=utf-8'])

type Handled = boolean | Promise<boolean>

/**
 * getStatus and checkSubjects on node:http directly, ahead of express and @atproto/xrpc-server,
 * with the same answers: the same lexicon checks of parameters, input and (getStatus) output,
 * and the same error names, messages and status codes. Only plain requests take this path (one
 * `subject` parameter; a JSON body with a content-length); anything else returns false and goes
 * to the xrpc server, so every unusual case is still decided by @atproto/xrpc-server itself.
 * Checks here are shortcuts stricter than the lexicon's: when one says no, the lexicon decides.
 */
export function createFastPath(
  ctx: ApiContext,
  namedError: (err: unknown) => XRPCError,
): (req: IncomingMessage, res: ServerResponse, nsid: string) => Handled {
  const deps = { ...ctx, tlog: ctx.tlog }
  const fail = (res: ServerResponse, err: unknown) => {
    const xe = namedError(err)
    if (xe.statusCode >= 500) ctx.log.error({ err }, 'request failed')
    json(res, xe.statusCode, xe.payload)
  }

  const getStatus = async (res: ServerResponse, subject: string): Promise<boolean> => {
    try {
      // One subject: always with its log checkpoint and inclusion proofs.
      const [answer] = await statusOf([subject], deps, { logProofs: true })
      if (!answer) throw new Error('no answer for one subject')
      if (!answer.ok) throw new InvalidRequestError(answer.error.message, answer.error.error)
      const { $type: _type, ...body } = answer.status
      if (!isStatusView(body)) lexicons.assertValidXrpcOutput(ids.AiDonottrainGetStatus, body)
      json(res, 200, body)
    } catch (err) {
      // A failed output check is the server's fault (a 500), as in xrpc-server.
      fail(res, err instanceof XRPCError ? err : XRPCError.fromError(err))
    }
    return true
  }

  const checkSubjects = async (req: IncomingMessage, res: ServerResponse, length: number): Promise<boolean> => {
    let input: { subjects: string[]; logProofs?: boolean }
    try {
      const body = parseJsonBody(await readBody(req, length))
      if (isCheckSubjectsInput(body)) input = body
      else {
        try {
          input = lexicons.assertValidXrpcInput(ids.AiDonottrainCheckSubjects, body) as typeof input
        } catch (err) {
          throw new InvalidRequestError(err instanceof Error ? err.message : String(err))
        }
      }
    } catch (err) {
      fail(res, err)
      return true
    }
    try {
      const answers = await statusOf(input.subjects, deps, { logProofs: input.logProofs === true })
      json(res, 200, { results: answers.map((a) => (a.ok ? a.status : a.error)) })
    } catch (err) {
      fail(res, err)
    }
    return true
  }

  return (req, res, nsid) => {
    if (nsid === ids.AiDonottrainGetStatus) {
      if (req.method !== 'GET' || hasBody(req)) return false
      const subject = onlySubject(req.url as string)
      return subject === undefined ? false : getStatus(res, subject)
    }
    if (nsid === ids.AiDonottrainCheckSubjects) {
      if (req.method !== 'POST' || !JSON_TYPES.has(req.headers['content-type'] ?? '')) return false
      if (req.headers['content-encoding'] !== undefined || req.headers['transfer-encoding'] !== undefined) return false
      const length = req.headers['content-length']
      if (length === undefined || !/^[1-9]\d{0,9}$/.test(length) || Number(length) > CHECK_SUBJECTS_LIMIT) return false
      return checkSubjects(req, res, Number(length))
    }
    return false
  }
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length']
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
}

/**
 * The `subject` of a query string holding exactly one parameter, `subject`, non-empty, within
 * the lexicon's 8192 bytes and cleanly percent-decoded; undefined for anything else.
 */
export function onlySubject(url: string): string | undefined {
  const q = url.indexOf('?')
  if (q < 0) return undefined
  const query = url.slice(q + 1)
  if (!query.startsWith('subject=') || query.includes('&') || query.includes('#')) return undefined
  let value: string
  try {
    value = decodeURIComponent(query.slice('subject='.length).replaceAll('+', ' '))
  } catch {
    return undefined
  }
  if (value === '') return undefined
  if (value.length * 3 > 8192 && Buffer.byteLength(value, 'utf8') > 8192) return undefined
  return value
}

/** The lexicon's input check for plain bodies: only `subjects` (1..1000 strings ≤ 8192 bytes) and `logProofs`. */
export function isCheckSubjectsInput(v: unknown): v is { subjects: string[]; logProofs?: boolean } {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  for (const key in v) if (key !== 'subjects' && key !== 'logProofs') return false
  const { subjects, logProofs } = v as { subjects?: unknown; logProofs?: unknown }
  if (logProofs !== undefined && typeof logProofs !== 'boolean') return false
  if (!Array.isArray(subjects) || subjects.length < 1 || subjects.length > 1000) return false
  for (const s of subjects) {
    if (typeof s !== 'string') return false
    if (s.length * 3 > 8192 && !(!LONE_SURROGATE.test(s) && Buffer.byteLength(s, 'utf8') <= 8192)) return false
  }
  return true
}

// body-parser's JSON (strict), as xrpc-server runs it: a body that is not an object or array, or
// not JSON, is a 400 named SyntaxError, with JSON.parse's message (for a strict violation, the
// message JSON.parse gives for the body with everything from the first character on masked).
function parseJsonBody(text: string): unknown {
  const first = /^[ \t\n\r]*([^ \t\n\r])/.exec(text)?.[1]
  if (first !== '{' && first !== '[') {
    const index = first === undefined ? -1 : text.indexOf(first)
    const partial = index === -1 ? '' : text.slice(0, index) + '#'.repeat(text.length - index)
    try {
      JSON.parse(partial)
      throw new SyntaxError('strict violation')
    } catch (err) {
      const message = (err as Error).message.replace(/#+/g, (p) => text.slice(index, index + p.length))
      throw new XRPCError(400, message, 'SyntaxError')
    }
  }
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new XRPCError(400, (err as Error).message, 'SyntaxError')
  }
}

/** The body as text: UTF-8, a byte order mark dropped (as body-parser's decoder does). */
function readBody(req: IncomingMessage, length: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > length) req.destroy()
      else chunks.push(chunk)
    })
    req.once('end', () => {
      const text = Buffer.concat(chunks, size).toString('utf8')
      resolve(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)
    })
    req.once('error', reject)
    req.once('close', () => {
      if (!req.complete) reject(new InvalidRequestError('request body incomplete'))
    })
  })
}
