import { cborDecodeMulti, cborEncode } from '@atproto/common'

/** The header of an event-stream frame: `op: 1` a message of type `t`, `op: -1` an error. */
export type FrameHeader = { op: 1; t: string } | { op: -1 }

/**
 * Encodes one event-stream frame the way @atproto/xrpc-server does: the DAG-CBOR header
 * followed by the DAG-CBOR body (the PDS's `cborEncode`, i.e. @atproto/lex-cbor).
 * Undefined properties are dropped, as the PDS drops them.
 */
export function encodeFrame(header: FrameHeader, body: Record<string, unknown>): Uint8Array {
  // biome-ignore lint/suspicious/noExplicitAny: the encoder takes any lex value; the body is ours
  const head = cborEncode(header as any)
  // biome-ignore lint/suspicious/noExplicitAny: see above
  const rest = cborEncode(body as any)
  const out = new Uint8Array(head.length + rest.length)
  out.set(head, 0)
  out.set(rest, head.length)
  return out
}

/** An error frame, `{ op: -1 }` + `{ error, message? }`, as sent before the server closes. */
export function encodeErrorFrame(error: string, message?: string): Uint8Array {
  return encodeFrame({ op: -1 }, message === undefined ? { error } : { error, message })
}

/** Decodes a frame with the reference decoder into its header and body (throws on bad input). */
export function decodeFrame(bytes: Uint8Array): { header: Record<string, unknown>; body: Record<string, unknown> } {
  const items = cborDecodeMulti(bytes)
  if (items.length !== 2) throw new Error(`frame must hold 2 cbor items items=${items.length}`)
  const [header, body] = items
  if (!isMap(header) || !isMap(body)) throw new Error('frame header and body must be maps')
  return { header, body }
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
}

/** Where the `seq` integer of a frame's body sits in its bytes, if it has one. */
interface SeqSpan {
  seq: number
  start: number
  end: number
}

/**
 * Finds the body's `seq` without decoding the whole frame (a structural walk of the CBOR), so a
 * server can filter and re-sequence large frames cheaply. Undefined when the bytes are not a
 * well-formed header + map body with an unsigned integer `seq`.
 */
export function findSeq(bytes: Uint8Array): SeqSpan | undefined {
  try {
    let pos = skipItem(bytes, 0)
    const body = readHead(bytes, pos)
    if (body.major !== 5) return undefined
    pos = body.next
    for (let i = 0; i < body.value; i++) {
      const key = readHead(bytes, pos)
      const keyEnd = skipItem(bytes, pos)
      const isSeq =
        key.major === 3 &&
        key.value === 3 &&
        bytes[key.next] === 0x73 &&
        bytes[key.next + 1] === 0x65 &&
        bytes[key.next + 2] === 0x71
      if (isSeq) {
        const value = readHead(bytes, keyEnd)
        if (value.major !== 0) return undefined
        return { seq: value.value, start: keyEnd, end: value.next }
      }
      pos = skipItem(bytes, keyEnd)
    }
    return undefined
  } catch {
    return undefined
  }
}

/** The frame's `seq`, or undefined (error frames, raw hostile bytes). */
export function readSeq(bytes: Uint8Array): number | undefined {
  return findSeq(bytes)?.seq
}

/** A copy of the frame with its body's `seq` replaced; every other byte is unchanged. */
export function withSeq(bytes: Uint8Array, seq: number): Uint8Array {
  const span = findSeq(bytes)
  if (!span) throw new Error('frame has no seq')
  const head = encodeUint(seq)
  const out = new Uint8Array(bytes.length - (span.end - span.start) + head.length)
  out.set(bytes.subarray(0, span.start), 0)
  out.set(head, span.start)
  out.set(bytes.subarray(span.end), span.start + head.length)
  return out
}

function encodeUint(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`seq must be a non-negative safe integer seq=${n}`)
  if (n < 24) return Uint8Array.of(n)
  if (n < 0x100) return Uint8Array.of(0x18, n)
  if (n < 0x10000) return Uint8Array.of(0x19, n >> 8, n & 0xff)
  if (n < 0x100000000) return Uint8Array.of(0x1a, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff)
  const out = new Uint8Array(9)
  out[0] = 0x1b
  new DataView(out.buffer).setBigUint64(1, BigInt(n))
  return out
}

interface Head {
  major: number
  /** The argument: an integer, a length, a count, or a tag number. */
  value: number
  /** Offset just past the head. */
  next: number
}

function readHead(bytes: Uint8Array, pos: number): Head {
  const first = bytes[pos]
  if (first === undefined) throw new Error('unexpected end of cbor')
  const major = first >> 5
  const info = first & 0x1f
  if (info < 24) return { major, value: info, next: pos + 1 }
  const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0
  if (size === 0) throw new Error(`unsupported cbor additional info ${info}`)
  if (pos + 1 + size > bytes.length) throw new Error('unexpected end of cbor')
  let value = 0
  for (let i = 1; i <= size; i++) value = value * 256 + (bytes[pos + i] as number)
  return { major, value, next: pos + 1 + size }
}

/** Offset just past the CBOR item starting at `pos` (definite lengths only, as in DAG-CBOR). */
function skipItem(bytes: Uint8Array, pos: number): number {
  let pending = 1
  while (pending > 0) {
    const head = readHead(bytes, pos)
    pending--
    pos = head.next
    switch (head.major) {
      case 2:
      case 3:
        pos += head.value
        if (pos > bytes.length) throw new Error('unexpected end of cbor')
        break
      case 4:
        pending += head.value
        break
      case 5:
        pending += head.value * 2
        break
      case 6:
        pending += 1
        break
    }
  }
  return pos
}
