import { decode, decodeFirst } from '@atcute/cbor'
import { checkCborLimits } from './cbor-limits.js'

/** Max nesting of a firehose frame (header or body); the atproto data model caps depth at 32. */
export const MAX_CBOR_DEPTH = 32

export type Frame = { op: 1; t: string; body: Record<string, unknown> } | { op: -1; error: string; message?: string }

export class FrameError extends Error {
  override name = 'FrameError'
  constructor(
    readonly reason: 'too-large' | 'too-deep' | 'bad-cbor' | 'bad-header' | 'bad-body',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/**
 * Decodes one event-stream frame: a DAG-CBOR header ({ op, t }) followed by a DAG-CBOR body.
 * Strict: size and depth limits are checked before decoding, the decoder rejects
 * non-canonical encodings, and anything else malformed is a FrameError.
 */
export function decodeFrame(bytes: Uint8Array, maxBytes: number): Frame {
  if (bytes.length > maxBytes)
    throw new FrameError('too-large', `frame too large bytes=${bytes.length} max=${maxBytes}`)
  const limit = checkCborLimits(bytes, MAX_CBOR_DEPTH)
  if (limit) throw new FrameError(limit.includes('deeper') ? 'too-deep' : 'bad-cbor', limit)
  let header: unknown
  let body: unknown
  try {
    const [h, rest] = decodeFirst(bytes)
    header = h
    body = decode(rest)
  } catch (cause) {
    throw new FrameError('bad-cbor', `frame is not valid dag-cbor: ${(cause as Error).message}`, { cause })
  }
  if (!isObject(header)) throw new FrameError('bad-header', 'frame header is not a map')
  if (!isObject(body)) throw new FrameError('bad-body', 'frame body is not a map')
  if (header.op === -1) {
    const error = typeof body.error === 'string' ? body.error : 'Unknown'
    return typeof body.message === 'string' ? { op: -1, error, message: body.message } : { op: -1, error }
  }
  if (header.op !== 1 || typeof header.t !== 'string') {
    throw new FrameError('bad-header', `unexpected frame header op=${String(header.op)}`)
  }
  return { op: 1, t: header.t, body }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)
}
