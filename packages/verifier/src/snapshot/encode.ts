import { isValidDid } from '@donottrain/lexicon'
import type { SnapshotDeclaration } from './entry.js'
import {
  DAG_CBOR_SHA256,
  datetimeMs,
  fnvBytes,
  fromBase32,
  KIND_CREATED,
  KIND_LICENSE,
  KIND_LOG_INDEX,
  KIND_SCOPE_CID,
  KIND_STATEMENT,
  LITTLE_ENDIAN,
  MAGIC,
  MAX_INLINE_BYTES,
  SCOPE_ACCOUNT,
  SCOPE_COLLECTION,
  SCOPE_ORIGIN,
  SCOPE_ORIGIN_VERIFIED,
  SCOPE_OWN_RECORD,
  SCOPE_RECORD,
  tidWords,
  VALUE_CID,
  VALUE_CID_DAG_CBOR,
  VALUE_DATETIME,
  VALUE_INLINE,
  VALUE_STRING_ID,
  VALUE_TID,
} from './format.js'

const utf8 = new TextEncoder()

/** A growable byte buffer. */
class Bytes {
  buf = new Uint8Array(1 << 16)
  length = 0
  room(n: number): void {
    if (this.length + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.length + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.length))
    this.buf = next
  }
  u8(v: number): void {
    this.room(1)
    this.buf[this.length++] = v
  }
  varint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`not a non-negative safe integer value=${v}`)
    this.room(8)
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 0x80) | 0x80
      v = Math.floor(v / 0x80)
    }
    this.buf[this.length++] = v
  }
  u32(v: number): void {
    this.room(4)
    for (let i = 0; i < 4; i++) this.buf[this.length++] = (v >>> (8 * i)) & 0xff
  }
  bytes(b: Uint8Array): void {
    this.room(b.length)
    this.buf.set(b, this.length)
    this.length += b.length
  }
  take(): Uint8Array {
    const out = this.buf.slice(0, this.length)
    this.length = 0
    return out
  }
}

/**
 * Writes the binary snapshot format (see format.ts) from declarations given in strictly
 * ascending uri order: `push` each, take the records written so far with `flush` (to stream
 * them), then `finish` returns the rest (the account, hash and string tables and the footer).
 */
export class SnapshotEncoder {
  #records = new Bytes()
  #recordBytes = 0
  #count = 0
  #lastUri = ''
  #dids = new Bytes()
  #didStart: number[] = [0]
  #declStart: number[] = []
  #byteStart: number[] = []
  #did = ''
  #strings = new Map<string, number>()
  #finished = false

  /** Declarations pushed so far. */
  get count(): number {
    return this.#count
  }

  push(d: SnapshotDeclaration): void {
    if (this.#finished) throw new TypeError('snapshot encoder already finished')
    if (!(d.uri > this.#lastUri)) throw new TypeError(`declarations must be strictly sorted by uri uri=${d.uri}`)
    const prefix = `at://${d.did}/`
    const slash = d.uri.indexOf('/', prefix.length)
    if (!d.uri.startsWith(prefix) || slash < 0 || d.uri.indexOf('/', slash + 1) >= 0) {
      throw new TypeError(`declaration uri is not at://<did>/<collection>/<rkey> uri=${d.uri}`)
    }
    const collection = d.uri.slice(prefix.length, slash)
    const rkey = d.uri.slice(slash + 1)
    if (collection === '' || rkey === '') throw new TypeError(`declaration uri is not of a record uri=${d.uri}`)
    if (d.did !== this.#did) this.#account(d.did)
    this.#lastUri = d.uri

    const r = this.#records
    const start = r.length
    const scope = d.scope
    let kind = 0
    if (scope.type === 'account') kind = SCOPE_ACCOUNT
    else if (scope.type === 'collection') kind = SCOPE_COLLECTION
    else if (scope.type === 'origin') kind = scope.verified ? SCOPE_ORIGIN_VERIFIED : SCOPE_ORIGIN
    else kind = ownRecord(scope.uri, prefix) ? SCOPE_OWN_RECORD : SCOPE_RECORD
    if (scope.type === 'record' && scope.cid !== undefined) kind |= KIND_SCOPE_CID
    if (d.statement !== undefined) kind |= KIND_STATEMENT
    if (d.licenseUri !== undefined) kind |= KIND_LICENSE
    if (d.createdAt !== undefined) kind |= KIND_CREATED
    if (d.logIndex !== undefined) kind |= KIND_LOG_INDEX
    r.u8(kind)
    r.varint(this.#intern(JSON.stringify(d.preferences)))
    if (scope.type === 'collection') r.varint(this.#intern(scope.collection))
    else if (scope.type === 'origin') r.varint(this.#intern(scope.origin))
    else if (scope.type === 'record') {
      if ((kind & 7) === SCOPE_OWN_RECORD) {
        const rest = scope.uri.slice(prefix.length)
        const at = rest.indexOf('/')
        r.varint(this.#intern(rest.slice(0, at)))
        this.#value(rest.slice(at + 1), false)
      } else {
        this.#value(scope.uri, false)
      }
      if (scope.cid !== undefined) this.#value(scope.cid, false)
    }
    r.varint(this.#intern(collection))
    this.#value(rkey, rkey === 'self')
    this.#value(d.cid, false)
    this.#value(d.rev, false)
    r.varint(this.#intern(d.source))
    this.#value(d.indexedAt, false)
    r.varint(d.seq)
    if (d.logIndex !== undefined) r.varint(d.logIndex)
    if (d.statement !== undefined) this.#value(d.statement, false)
    if (d.licenseUri !== undefined) this.#value(d.licenseUri, false)
    if (d.createdAt !== undefined) this.#value(d.createdAt, false)
    this.#recordBytes += r.length - start
    this.#count++
  }

  constructor() {
    if (!LITTLE_ENDIAN) throw new TypeError('the snapshot format needs a little-endian host')
    this.#records.bytes(MAGIC)
  }

  /** The bytes written since the last flush (the magic, then records). */
  flush(): Uint8Array {
    return this.#records.take()
  }

  /** Everything not flushed yet: records, tables and footer. */
  finish(): Uint8Array {
    if (this.#finished) throw new TypeError('snapshot encoder already finished')
    const records = this.flush()
    this.#finished = true
    const accounts = this.#declStart.length
    this.#declStart.push(this.#count)
    this.#byteStart.push(this.#recordBytes)
    const strings = [...this.#strings.keys()]
    const encoded = strings.map((s) => utf8.encode(s))
    const strsBytes = encoded.reduce((n, b) => n + b.length, 0)
    const didsBytes = this.#dids.length
    if (8 + this.#recordBytes + didsBytes + strsBytes > 2 ** 32 - 2 ** 28) throw new RangeError('snapshot too large')
    let slots = 8
    while (slots < Math.ceil((accounts * 4) / 3) + 1) slots *= 2

    const t = new Bytes()
    t.room(12 * (accounts + 1) + didsBytes + 4 * slots + 4 * (strings.length + 1) + strsBytes + 64)
    const base = MAGIC.length + this.#recordBytes
    while ((base + t.length) % 4 !== 0) t.u8(0)
    t.bytes(le32(this.#declStart))
    t.bytes(le32(this.#byteStart))
    t.bytes(le32(this.#didStart))
    const dids = this.#dids.buf
    t.bytes(dids.subarray(0, didsBytes))
    while ((base + t.length) % 4 !== 0) t.u8(0)
    const table = new Uint32Array(slots)
    for (let a = 0; a < accounts; a++) {
      let i = fnvBytes(dids, this.#didStart[a] as number, this.#didStart[a + 1] as number) & (slots - 1)
      while (table[i] !== 0) i = (i + 1) & (slots - 1)
      table[i] = a + 1
    }
    t.bytes(new Uint8Array(table.buffer))
    let off = 0
    t.bytes(le32([0, ...encoded.map((b) => (off += b.length))]))
    for (const b of encoded) t.bytes(b)
    while ((base + t.length) % 4 !== 0) t.u8(0)
    t.bytes(le32([this.#count, accounts, slots, strings.length, this.#recordBytes, didsBytes, strsBytes, 0]))
    t.bytes(MAGIC)
    return concat([records, t.take()])
  }

  #account(did: string): void {
    if (!isValidDid(did)) throw new TypeError(`declaration did is not a did did=${did}`)
    if (this.#did !== '' && !(`${did}/` > `${this.#did}/`)) throw new TypeError(`accounts out of order did=${did}`)
    this.#did = did
    this.#declStart.push(this.#count)
    this.#byteStart.push(this.#recordBytes)
    for (let i = 0; i < did.length; i++) this.#dids.u8(did.charCodeAt(i))
    this.#didStart.push(this.#dids.length)
  }

  #intern(s: string): number {
    let id = this.#strings.get(s)
    if (id === undefined) {
      if (s === '' || s.length > MAX_INLINE_BYTES / 4)
        throw new TypeError(`string empty or too long length=${s.length}`)
      id = this.#strings.size
      this.#strings.set(s, id)
    }
    return id
  }

  /** A string value in its most compact exact form. */
  #value(s: string, intern: boolean): void {
    const r = this.#records
    if (intern) {
      r.u8(VALUE_STRING_ID)
      r.varint(this.#intern(s))
      return
    }
    const tid = s.length === 13 ? tidWords(s) : undefined
    if (tid) {
      r.u8(VALUE_TID)
      r.u32(tid[0])
      r.u32(tid[1])
      return
    }
    const cid = s.startsWith('b') && s.length > 8 ? fromBase32(s.slice(1)) : undefined
    if (cid && cid.length === 36 && DAG_CBOR_SHA256.every((v, i) => cid[i] === v)) {
      r.u8(VALUE_CID_DAG_CBOR)
      r.bytes(cid.subarray(4))
      return
    }
    if (cid && cid.length > 0 && cid.length <= MAX_INLINE_BYTES) {
      r.u8(VALUE_CID)
      r.varint(cid.length)
      r.bytes(cid)
      return
    }
    const ms = s.length >= 20 && s.length <= 30 ? datetimeMs(s) : undefined
    if (ms !== undefined) {
      r.u8(VALUE_DATETIME)
      r.u32(ms % 2 ** 32)
      r.u8(Math.floor(ms / 2 ** 32) & 0xff)
      r.u8(Math.floor(ms / 2 ** 40) & 0xff)
      return
    }
    const b = utf8.encode(s)
    if (b.length === 0 || b.length > MAX_INLINE_BYTES) throw new TypeError(`string empty or too long bytes=${b.length}`)
    r.u8(VALUE_INLINE)
    r.varint(b.length)
    r.bytes(b)
  }
}

const le32 = (values: readonly number[]) => new Uint8Array(Uint32Array.from(values).buffer)

function ownRecord(uri: string, prefix: string): boolean {
  if (!uri.startsWith(prefix)) return false
  const rest = uri.slice(prefix.length)
  const at = rest.indexOf('/')
  return at > 0 && at < rest.length - 1 && rest.indexOf('/', at + 1) < 0
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let off = 0
  for (const p of parts) {
    out.set(p, off)
    off += p.length
  }
  return out
}

/** The whole binary snapshot of declarations given sorted by uri. */
export function encodeSnapshot(declarations: Iterable<SnapshotDeclaration>): Uint8Array {
  const enc = new SnapshotEncoder()
  const parts: Uint8Array[] = []
  for (const d of declarations) {
    enc.push(d)
    if (enc.count % 65536 === 0) parts.push(enc.flush())
  }
  parts.push(enc.finish())
  return concat(parts)
}
