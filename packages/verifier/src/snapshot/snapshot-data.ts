import { err, ok, type Preferences, PURPOSES, type Result, type Scope, type Verdict } from '@donottrain/lexicon'
import type { SnapshotDeclaration } from './entry.js'
import { SnapshotError } from './errors.js'
import {
  base32,
  FOOTER_BYTES,
  fnvString,
  KIND_CREATED,
  KIND_LICENSE,
  KIND_LOG_INDEX,
  KIND_SCOPE_CID,
  KIND_SCOPE_MASK,
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
  tidString,
  VALUE_CID,
  VALUE_CID_DAG_CBOR,
  VALUE_DATETIME,
  VALUE_INLINE,
  VALUE_STRING_ID,
  VALUE_TID,
} from './format.js'

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const loose = new TextDecoder('utf-8', { ignoreBOM: true })
const RECORDS = MAGIC.length
const TID_CODES = Array.from('234567abcdefghijklmnopqrstuvwxyz', (c) => c.charCodeAt(0))

// The value and the position after it of the last varint / value read (no allocation per read).
let V = 0

/** A varint at pos (at most 8 bytes, a safe integer, before end): the position after it, or -1. */
function varint(b: Uint8Array, pos: number, end: number): number {
  let x = b[pos] as number
  if (x < 0x80 && pos < end) {
    V = x
    return pos + 1
  }
  let v = 0
  let scale = 1
  for (let i = 0; i < 8 && pos < end; i++, pos++, scale *= 0x80) {
    x = b[pos] as number
    v += (x & 0x7f) * scale
    if (x < 0x80) {
      V = v
      return Number.isSafeInteger(v) ? pos + 1 : -1
    }
  }
  return -1
}

/** A varint string id below `strings`: the position after it (V = the id), or -1. */
function idAt(b: Uint8Array, pos: number, end: number, strings: number): number {
  if (pos < 0) return pos
  pos = varint(b, pos, end)
  return pos >= 0 && V < strings ? pos : -1
}

/** The position after the value at pos, or -1 when it is malformed or crosses end. */
function skipValue(b: Uint8Array, pos: number, end: number, strings: number): number {
  if (pos < 0 || pos >= end) return -1
  const tag = b[pos++] as number
  switch (tag) {
    case VALUE_STRING_ID:
      return idAt(b, pos, end, strings)
    case VALUE_INLINE:
    case VALUE_CID:
      pos = varint(b, pos, end)
      return pos >= 0 && V >= 1 && V <= MAX_INLINE_BYTES && pos + V <= end ? pos + V : -1
    case VALUE_TID:
      return pos + 8 <= end ? pos + 8 : -1
    case VALUE_CID_DAG_CBOR:
      return pos + 32 <= end ? pos + 32 : -1
    case VALUE_DATETIME:
      return pos + 6 <= end ? pos + 6 : -1
    default:
      return -1
  }
}

/** Bits of a preference set: deny = 1 << 2p, allow = 1 << (2p + 1) for purpose index p. */
function preferenceBits(prefs: Preferences): number {
  let bits = 0
  for (const [p, purpose] of PURPOSES.entries()) {
    const v = prefs[purpose]
    if (v === 'deny') bits |= 1 << (2 * p)
    else if (v === 'allow') bits |= 1 << (2 * p + 1)
  }
  return bits
}

const VERDICTS: Readonly<Verdict>[] = []

/** combinePreferences of the declarations whose bits were OR-ed together (shared, frozen). */
export function verdictOf(bits: number): Readonly<Verdict> {
  let v = VERDICTS[bits]
  if (v === undefined) {
    const out = {} as Verdict
    for (const [p, purpose] of PURPOSES.entries()) {
      out[purpose] = bits & (1 << (2 * p)) ? 'deny' : bits & (1 << (2 * p + 1)) ? 'allow' : 'unknown'
    }
    if (out.trainAi === 'deny') out.trainGenai = 'deny'
    v = Object.freeze(out)
    VERDICTS[bits] = v
  }
  return v
}

const NO_PREFS = -1

/**
 * A verified snapshot file, held as its bytes: the tables are typed-array views, a declaration
 * is decoded only when asked for. `open` checks the whole structure once (every offset, length,
 * string id and tag in bounds, accounts strictly sorted, the hash index a permutation of the
 * accounts), so later reads never leave the buffer.
 */
export class SnapshotData {
  readonly count: number
  readonly accounts: number
  readonly byteLength: number
  readonly #b: Uint8Array
  readonly #declStart: Uint32Array
  readonly #byteStart: Uint32Array
  readonly #didStart: Uint32Array
  readonly #didsOff: number
  readonly #slots: Uint32Array
  readonly #strings: string[]
  readonly #prefBits: Int32Array
  readonly #prefs: Preferences[] = []
  /** Per account: 0 not computed, else 0x100 | (account-scope bits) | 0x200 when it has narrower scopes. */
  readonly #accountBits: Uint16Array
  /** Verified origin → [account, record position]... of its declarations, in uri order. */
  readonly origins = new Map<string, number[]>()

  private constructor(b: Uint8Array, f: number[], offs: number[]) {
    const [count, accounts, slots, strings] = f as [number, number, number, number]
    const [declOff, didOff, didsOff, slotsOff] = offs as [number, number, number, number]
    this.#b = b
    this.byteLength = b.length
    this.count = count
    this.accounts = accounts
    const u32 = (off: number, n: number) => new Uint32Array(b.buffer, b.byteOffset + off, n)
    this.#declStart = u32(declOff, accounts + 1)
    this.#byteStart = u32(declOff + 4 * (accounts + 1), accounts + 1)
    this.#didStart = u32(didOff, accounts + 1)
    this.#didsOff = didsOff
    this.#slots = u32(slotsOff, slots)
    this.#strings = new Array(strings)
    this.#prefBits = new Int32Array(strings).fill(NO_PREFS)
    this.#accountBits = new Uint16Array(accounts)
  }

  /** Checks the structure of a (hash-verified) snapshot file and opens it. */
  static open(input: Uint8Array, expectedCount: number): Result<SnapshotData, SnapshotError> {
    const bad = (why: string) => err(new SnapshotError('data-malformed', why))
    if (!LITTLE_ENDIAN) return err(new SnapshotError('unreadable', 'snapshots are read on little-endian hosts only'))
    const n = input.length
    if (n < RECORDS + FOOTER_BYTES || n > 2 ** 32) return bad(`data is not a snapshot bytes=${n}`)
    for (let i = 0; i < MAGIC.length; i++) {
      if (input[i] !== MAGIC[i] || input[n - MAGIC.length + i] !== MAGIC[i]) return bad('data is not a binary snapshot')
    }
    // Typed-array views need 4-byte alignment: copy once if the bytes are not aligned.
    const b = input.byteOffset % 4 === 0 ? input : input.slice()
    const view = new DataView(b.buffer, b.byteOffset + n - FOOTER_BYTES, FOOTER_BYTES)
    const f = Array.from({ length: 8 }, (_, i) => view.getUint32(4 * i, true))
    const [count, accounts, slots, strings, recordsBytes, didsBytes, strsBytes] = f as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ]
    if (count !== expectedCount)
      return err(new SnapshotError('count-mismatch', `data holds ${count} declarations count=${expectedCount}`))
    const align = (x: number) => Math.ceil(x / 4) * 4
    const declOff = align(RECORDS + recordsBytes)
    const didOff = declOff + 8 * (accounts + 1)
    const didsOff = didOff + 4 * (accounts + 1)
    const slotsOff = align(didsOff + didsBytes)
    const strOff = slotsOff + 4 * slots
    const strsOff = strOff + 4 * (strings + 1)
    const footer = align(strsOff + strsBytes)
    if (footer + FOOTER_BYTES !== n)
      return bad(`data sections do not add up to its length bytes=${n} expected=${footer + FOOTER_BYTES}`)
    if (accounts > count || (count > 0 && accounts === 0)) return bad(`bad account count accounts=${accounts}`)
    if (slots < 8 || (slots & (slots - 1)) !== 0 || slots <= accounts) return bad(`bad hash table size slots=${slots}`)

    const data = new SnapshotData(b, f, [declOff, didOff, didsOff, slotsOff, strOff])
    const failure =
      data.#checkStrings(new Uint32Array(b.buffer, b.byteOffset + strOff, strings + 1), strsOff, strsBytes) ??
      data.#checkAccounts(recordsBytes, didsBytes) ??
      data.#checkSlots() ??
      data.#checkRecords()
    return failure ? bad(failure) : ok(data)
  }

  #checkStrings(starts: Uint32Array, off: number, bytes: number): string | undefined {
    if (starts[0] !== 0 || starts[starts.length - 1] !== bytes) return 'string table offsets out of range'
    for (let i = 0; i < this.#strings.length; i++) {
      const s = starts[i] as number
      const e = starts[i + 1] as number
      if (!(e > s) || e - s > MAX_INLINE_BYTES) return `string table entry empty or too long id=${i}`
      try {
        this.#strings[i] = strict.decode(this.#b.subarray(off + s, off + e))
      } catch {
        return `string table entry is not utf-8 id=${i}`
      }
    }
    return undefined
  }

  #checkAccounts(recordsBytes: number, didsBytes: number): string | undefined {
    const ds = this.#declStart
    const bs = this.#byteStart
    const ss = this.#didStart
    const a = this.accounts
    if (ds[0] !== 0 || bs[0] !== 0 || ss[0] !== 0) return 'account tables must start at 0'
    if (ds[a] !== this.count || bs[a] !== recordsBytes || ss[a] !== didsBytes)
      return 'account tables must end at the totals'
    const b = this.#b
    const off = this.#didsOff
    for (let i = 0; i < a; i++) {
      const s = ss[i] as number
      const e = ss[i + 1] as number
      if (!((ds[i + 1] as number) > (ds[i] as number)) || !((bs[i + 1] as number) > (bs[i] as number))) {
        return `account without declarations account=${i}`
      }
      if (!(e > s + 4) || e - s > 2048) return `account did empty or too long account=${i}`
      if (i === 0) continue
      // Strictly after the previous account in uri order: compare `did + "/"` bytewise.
      const p = off + (ss[i - 1] as number)
      const q = off + s
      const pl = s - (ss[i - 1] as number)
      const l = e - s
      const m = Math.min(pl, l)
      let k = 0
      while (k < m && b[p + k] === b[q + k]) k++
      const c =
        k < m
          ? (b[p + k] as number) - (b[q + k] as number)
          : pl === l
            ? 0
            : pl < l
              ? 0x2f - (b[q + k] as number)
              : (b[p + k] as number) - 0x2f
      if (c >= 0) return `accounts not strictly sorted account=${i}`
    }
    return undefined
  }

  #checkSlots(): string | undefined {
    const seen = new Uint8Array(this.accounts)
    let used = 0
    const slots = this.#slots
    for (let i = 0; i < slots.length; i++) {
      const v = slots[i] as number
      if (v === 0) continue
      if (v > this.accounts || seen[v - 1] === 1) return `hash slot names no account or one twice value=${v}`
      seen[v - 1] = 1
      used++
    }
    return used === this.accounts ? undefined : `hash table misses accounts used=${used}`
  }

  /** Walks every record: kinds, ids, tags and lengths in bounds, each account's bytes exactly used. */
  #checkRecords(): string | undefined {
    const b = this.#b
    const n = this.#strings.length
    const prefBits = this.#prefBits
    const byteStart = this.#byteStart
    const declStart = this.#declStart
    for (let a = 0; a < this.accounts; a++) {
      let pos = RECORDS + (byteStart[a] as number)
      const end = RECORDS + (byteStart[a + 1] as number)
      const last = declStart[a + 1] as number
      for (let i = declStart[a] as number; i < last; i++) {
        const at = pos
        if (pos >= end) return `record out of its account's bytes declaration=${i}`
        const kind = b[pos++] as number
        const scope = kind & KIND_SCOPE_MASK
        if (scope > SCOPE_ORIGIN_VERIFIED) return `unknown scope declaration=${i}`
        if (kind & KIND_SCOPE_CID && scope !== SCOPE_RECORD && scope !== SCOPE_OWN_RECORD) {
          return `scope cid on a scope without a record declaration=${i}`
        }
        pos = idAt(b, pos, end, n)
        if (pos < 0 || (prefBits[V] === NO_PREFS && !this.#checkPreferences(V)))
          return `bad preferences declaration=${i}`
        if (scope === SCOPE_COLLECTION || scope === SCOPE_ORIGIN || scope === SCOPE_ORIGIN_VERIFIED) {
          pos = idAt(b, pos, end, n)
          if (scope === SCOPE_ORIGIN_VERIFIED && pos >= 0) {
            const key = this.#strings[V] as string
            const list = this.origins.get(key)
            if (list) list.push(a, at)
            else this.origins.set(key, [a, at])
          }
        } else if (scope === SCOPE_OWN_RECORD) {
          pos = skipValue(b, idAt(b, pos, end, n), end, n)
        } else if (scope === SCOPE_RECORD) {
          pos = skipValue(b, pos, end, n)
        }
        if (kind & KIND_SCOPE_CID) pos = skipValue(b, pos, end, n)
        pos = idAt(b, pos, end, n) // collection
        pos = skipValue(b, pos, end, n) // rkey
        pos = skipValue(b, pos, end, n) // cid
        pos = skipValue(b, pos, end, n) // rev
        pos = idAt(b, pos, end, n) // source
        pos = skipValue(b, pos, end, n) // indexedAt
        pos = pos < 0 ? pos : varint(b, pos, end) // seq
        if (kind & KIND_LOG_INDEX && pos >= 0) pos = varint(b, pos, end)
        if (kind & KIND_STATEMENT) pos = skipValue(b, pos, end, n)
        if (kind & KIND_LICENSE) pos = skipValue(b, pos, end, n)
        if (kind & KIND_CREATED) pos = skipValue(b, pos, end, n)
        if (pos < 0) return `malformed record declaration=${i}`
      }
      if (pos !== end) return `account's bytes not exactly its records account=${a}`
    }
    return undefined
  }

  #checkPreferences(id: number): boolean {
    if (id >= this.#strings.length) return false
    if (this.#prefBits[id] !== NO_PREFS) return true
    let v: unknown
    try {
      v = JSON.parse(this.#strings[id] as string)
    } catch {
      return false
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
    const entries = Object.entries(v)
    if (entries.length > 16 || entries.some(([, p]) => typeof p !== 'string' || p.length > 32)) return false
    this.#prefs[id] = Object.freeze(v) as Preferences
    this.#prefBits[id] = preferenceBits(v as Preferences)
    return true
  }

  // --- reads (the structure is checked: no bounds checks needed) ---

  /** The account of a DID held in `s[start, end)` (ASCII), or -1. */
  find(s: string, start: number, end: number): number {
    return this.findHashed(s, start, end, fnvString(s, start, end))
  }

  /** find, given fnvString(s, start, end). */
  findHashed(s: string, start: number, end: number, hash: number): number {
    const len = end - start
    const slots = this.#slots
    const mask = slots.length - 1
    const ss = this.#didStart
    const b = this.#b
    const off = this.#didsOff
    for (let i = hash & mask, probes = 0; probes <= mask; i = (i + 1) & mask, probes++) {
      const v = slots[i] as number
      if (v === 0) return -1
      const a = v - 1
      const ds = off + (ss[a] as number)
      if ((ss[v] as number) - (ss[a] as number) !== len) continue
      let k = len - 1
      while (k >= 0 && b[ds + k] === s.charCodeAt(start + k)) k--
      if (k < 0) return a
    }
    return -1
  }

  did(a: number): string {
    return loose.decode(
      this.#b.subarray(
        this.#didsOff + (this.#didStart[a] as number),
        this.#didsOff + (this.#didStart[a + 1] as number),
      ),
    )
  }

  /** OR of the preference bits of the account's account-scope declarations. */
  accountBits(a: number): number {
    let cached = this.#accountBits[a] as number
    if (cached === 0) {
      cached = 0x100
      this.#walk(a, (kind, prefs) => {
        if ((kind & KIND_SCOPE_MASK) === SCOPE_ACCOUNT) cached |= this.#prefBits[prefs] as number
        else if ((kind & KIND_SCOPE_MASK) < SCOPE_ORIGIN) cached |= 0x200
        return true
      })
      this.#accountBits[a] = cached
    }
    return cached & 0xff
  }

  /** Whether the account has collection- or record-scope declarations. */
  hasNarrower(a: number): boolean {
    this.accountBits(a)
    return ((this.#accountBits[a] as number) & 0x200) !== 0
  }

  /**
   * The bits of the declarations of account `a` that apply to it (collection undefined), to its
   * collection (rkey undefined) or to a record, calling `each` with the position of each.
   */
  narrowBits(
    a: number,
    collection: string | undefined,
    rkey: string | undefined,
    uri: string,
    each?: (pos: number) => void,
  ): number {
    let bits = 0
    this.#walk(a, (kind, prefs, pos, target, value) => {
      const scope = kind & KIND_SCOPE_MASK
      let applies = scope === SCOPE_ACCOUNT
      if (scope === SCOPE_COLLECTION) applies = this.#strings[target] === collection
      else if (rkey !== undefined && scope === SCOPE_OWN_RECORD) {
        applies = this.#strings[target] === collection && this.#valueIs(value, rkey)
      } else if (rkey !== undefined && scope === SCOPE_RECORD) applies = this.#valueAt(value) === uri
      if (applies) {
        bits |= this.#prefBits[prefs] as number
        each?.(pos)
      }
      return true
    })
    return bits
  }

  /** Record positions of the account's declarations, origin-scope ones left out (uri order). */
  positions(a: number): number[] {
    const out: number[] = []
    this.#walk(a, (kind, _prefs, pos) => {
      if ((kind & KIND_SCOPE_MASK) < SCOPE_ORIGIN) out.push(pos)
      return true
    })
    return out
  }

  prefBits(pos: number): number {
    varint(this.#b, pos + 1, this.#b.length)
    return this.#prefBits[V] as number
  }

  /**
   * Calls fn(kind, prefs id, record position, scope target, scope value) per declaration of
   * account a: the target is the scope's string id (collection, origin, own-record collection),
   * the value the position of a record scope's rkey (own record) or uri value.
   */
  #walk(a: number, fn: (kind: number, prefs: number, pos: number, target: number, value: number) => boolean): void {
    const b = this.#b
    let pos = RECORDS + (this.#byteStart[a] as number)
    const last = this.#declStart[a + 1] as number
    for (let i = this.#declStart[a] as number; i < last; i++) {
      const at = pos
      const kind = b[pos++] as number
      const scope = kind & KIND_SCOPE_MASK
      pos = varint(b, pos, b.length)
      const prefs = V
      let target = -1
      let value = -1
      if (scope === SCOPE_COLLECTION || scope === SCOPE_ORIGIN || scope === SCOPE_ORIGIN_VERIFIED) {
        pos = varint(b, pos, b.length)
        target = V
      } else if (scope === SCOPE_OWN_RECORD) {
        pos = varint(b, pos, b.length)
        target = V
        value = pos
        pos = this.#skip(pos)
      } else if (scope === SCOPE_RECORD) {
        value = pos
        pos = this.#skip(pos)
      }
      if (!fn(kind, prefs, at, target, value)) return
      if (i + 1 < last) pos = this.#skipRest(kind, pos)
    }
  }

  /** Skips a record's fields after its scope. */
  #skipRest(kind: number, pos: number): number {
    const b = this.#b
    if (kind & KIND_SCOPE_CID) pos = this.#skip(pos)
    pos = varint(b, pos, b.length)
    pos = this.#skip(this.#skip(this.#skip(pos)))
    pos = varint(b, pos, b.length)
    pos = varint(b, this.#skip(pos), b.length)
    if (kind & KIND_LOG_INDEX) pos = varint(b, pos, b.length)
    if (kind & KIND_STATEMENT) pos = this.#skip(pos)
    if (kind & KIND_LICENSE) pos = this.#skip(pos)
    if (kind & KIND_CREATED) pos = this.#skip(pos)
    return pos
  }

  #skip(pos: number): number {
    return skipValue(this.#b, pos, this.#b.length, this.#strings.length)
  }

  /** Whether the value at pos is the string str (a TID is compared without decoding it). */
  #valueIs(pos: number, str: string): boolean {
    const b = this.#b
    const tag = b[pos] as number
    if (tag === VALUE_STRING_ID) {
      varint(b, pos + 1, b.length)
      return this.#strings[V] === str
    }
    if (tag !== VALUE_TID) return this.#valueAt(pos) === str
    if (str.length !== 13) return false
    const w0 =
      ((b[pos + 1] as number) |
        ((b[pos + 2] as number) << 8) |
        ((b[pos + 3] as number) << 16) |
        ((b[pos + 4] as number) << 24)) >>>
      0
    const w1 =
      ((b[pos + 5] as number) |
        ((b[pos + 6] as number) << 8) |
        ((b[pos + 7] as number) << 16) |
        ((b[pos + 8] as number) << 24)) >>>
      0
    let lo = w0 & 0x3fffffff
    let hi = w1 * 4 + (w0 >>> 30)
    for (let i = 12; i >= 7; i--, lo = Math.floor(lo / 32)) if (str.charCodeAt(i) !== TID_CODES[lo % 32]) return false
    for (let i = 6; i >= 0; i--, hi = Math.floor(hi / 32)) if (str.charCodeAt(i) !== TID_CODES[hi % 32]) return false
    return true
  }

  /** The string of the value at pos (S_END = the position after it). */
  #valueAt(pos: number): string {
    const b = this.#b
    const tag = b[pos++] as number
    switch (tag) {
      case VALUE_STRING_ID:
        S_END = varint(b, pos, b.length)
        return this.#strings[V] as string
      case VALUE_INLINE:
        pos = varint(b, pos, b.length)
        S_END = pos + V
        return loose.decode(b.subarray(pos, pos + V))
      case VALUE_CID:
        pos = varint(b, pos, b.length)
        S_END = pos + V
        return `b${base32(b, pos, pos + V)}`
      case VALUE_TID: {
        S_END = pos + 8
        const w0 =
          (b[pos] as number) |
          ((b[pos + 1] as number) << 8) |
          ((b[pos + 2] as number) << 16) |
          ((b[pos + 3] as number) << 24)
        const w1 =
          (b[pos + 4] as number) |
          ((b[pos + 5] as number) << 8) |
          ((b[pos + 6] as number) << 16) |
          ((b[pos + 7] as number) << 24)
        return tidString(w0 >>> 0, w1 >>> 0)
      }
      case VALUE_CID_DAG_CBOR: {
        S_END = pos + 32
        const cid = new Uint8Array(36)
        cid.set([0x01, 0x71, 0x12, 0x20])
        cid.set(b.subarray(pos, pos + 32), 4)
        return `b${base32(cid, 0, 36)}`
      }
      default: {
        S_END = pos + 6
        let ms = 0
        for (let k = 5; k >= 0; k--) ms = ms * 256 + (b[pos + k] as number)
        return new Date(ms).toISOString()
      }
    }
  }

  /** The declaration whose record starts at pos, of account a. */
  declaration(a: number, pos: number): SnapshotDeclaration {
    const b = this.#b
    const did = this.did(a)
    const kind = b[pos++] as number
    const scopeType = kind & KIND_SCOPE_MASK
    pos = varint(b, pos, b.length)
    const preferences = this.#prefs[V] as Preferences
    let scope: Scope
    if (scopeType === SCOPE_ACCOUNT) scope = { type: 'account' }
    else if (scopeType === SCOPE_COLLECTION || scopeType === SCOPE_ORIGIN || scopeType === SCOPE_ORIGIN_VERIFIED) {
      pos = varint(b, pos, b.length)
      const target = this.#strings[V] as string
      scope =
        scopeType === SCOPE_COLLECTION
          ? { type: 'collection', collection: target }
          : { type: 'origin', origin: target, verified: scopeType === SCOPE_ORIGIN_VERIFIED }
    } else {
      let uri: string
      if (scopeType === SCOPE_OWN_RECORD) {
        pos = varint(b, pos, b.length)
        const collection = this.#strings[V] as string
        uri = `at://${did}/${collection}/${this.#valueAt(pos)}`
      } else {
        uri = this.#valueAt(pos)
      }
      pos = S_END
      if (kind & KIND_SCOPE_CID) {
        scope = { type: 'record', uri, cid: this.#valueAt(pos) }
        pos = S_END
      } else {
        scope = { type: 'record', uri }
      }
    }
    pos = varint(b, pos, b.length)
    const collection = this.#strings[V] as string
    const rkey = this.#valueAt(pos)
    const cid = this.#valueAt(S_END)
    const rev = this.#valueAt(S_END)
    pos = varint(b, S_END, b.length)
    const source = this.#strings[V] as string
    const indexedAt = this.#valueAt(pos)
    pos = varint(b, S_END, b.length)
    const d: SnapshotDeclaration = {
      uri: `at://${did}/${collection}/${rkey}`,
      did,
      cid,
      rev,
      source,
      scope,
      preferences,
      indexedAt,
      seq: V,
    }
    if (kind & KIND_LOG_INDEX) pos = varint(b, pos, b.length)
    const logIndex = V
    if (kind & KIND_STATEMENT) {
      d.statement = this.#valueAt(pos)
      pos = S_END
    }
    if (kind & KIND_LICENSE) {
      d.licenseUri = this.#valueAt(pos)
      pos = S_END
    }
    if (kind & KIND_CREATED) d.createdAt = this.#valueAt(pos)
    if (kind & KIND_LOG_INDEX) d.logIndex = logIndex
    return d
  }
}

let S_END = 0
