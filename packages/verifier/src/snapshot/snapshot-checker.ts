import {
  err,
  isPurpose,
  isValidNsid,
  MAX_SUBJECT_LENGTH,
  ok,
  type Purpose,
  parseSubject,
  type Result,
  type Subject,
  type Verdict,
  type VerdictSubject,
  type VerdictValue,
} from '@donottrain/lexicon'
import { CheckError } from '../check/errors.js'
import type { CheckedSubject } from '../check/types.js'
import type { SnapshotDeclaration } from './entry.js'
import type { SnapshotError } from './errors.js'
import { type LoadedSnapshot, type LoadSnapshotOptions, loadSnapshot, type SnapshotSource } from './load.js'
import type { SnapshotManifest } from './manifest.js'
import { type SnapshotData, verdictOf } from './snapshot-data.js'
import { didHashAt, isRecordKeyAt, webOrigin } from './subject-syntax.js'

/** The answer for one subject from a snapshot: the verdict model's answer as of the snapshot's checkpoint. */
export interface SnapshotCheck {
  input: string
  subject: CheckedSubject
  purpose: Purpose
  verdict: VerdictValue
  /** Shared between answers of one account: read-only. */
  verdicts: Readonly<Verdict>
  /** Not denied for the purpose. */
  allowed: boolean
  basis: 'snapshot'
  /** The declarations that apply, in snapshot (uri) order. */
  declarations: readonly SnapshotDeclaration[]
}

export interface SnapshotCheckOptions {
  /** Default trainAi. */
  purpose?: Purpose
  /** Handles already resolved to DIDs (lower-case handles); an unlisted handle is UnresolvableSubject. */
  handles?: ReadonlyMap<string, string>
}

const NONE: readonly SnapshotDeclaration[] = Object.freeze([])
const UNKNOWN_BITS = 0
const MAX_NSID_CACHE = 4096

/** A check's answer; its declarations are decoded from the snapshot on first read. */
class Answer implements SnapshotCheck {
  readonly verdict: VerdictValue
  readonly allowed: boolean
  readonly basis = 'snapshot' as const
  #declarations: readonly SnapshotDeclaration[] | undefined
  readonly #data: SnapshotData | undefined
  readonly #account: number
  readonly #collection: string | undefined
  readonly #rkey: string | undefined
  constructor(
    readonly input: string,
    readonly subject: CheckedSubject,
    readonly purpose: Purpose,
    readonly verdicts: Readonly<Verdict>,
    /** Where the declarations are: none (undefined), an account (≥ 0), or a verified origin (-1, collection = origin). */
    data: SnapshotData | undefined,
    account: number,
    collection: string | undefined,
    rkey: string | undefined,
  ) {
    this.verdict = verdicts[purpose]
    this.allowed = this.verdict !== 'deny'
    this.#data = data
    this.#account = account
    this.#collection = collection
    this.#rkey = rkey
  }

  /** The declarations that apply, in snapshot (uri) order. */
  get declarations(): readonly SnapshotDeclaration[] {
    if (this.#declarations) return this.#declarations
    const data = this.#data
    const out: SnapshotDeclaration[] = []
    if (data && this.#account >= 0) {
      const a = this.#account
      data.narrowBits(a, this.#collection, this.#rkey, this.subject.uri ?? '', (pos) =>
        out.push(data.declaration(a, pos)),
      )
    } else if (data) {
      const list = data.origins.get(this.#collection as string) ?? []
      for (let i = 0; i < list.length; i += 2) out.push(data.declaration(list[i] as number, list[i + 1] as number))
    }
    this.#declarations = Object.freeze(out)
    return this.#declarations
  }
}

/**
 * Answers subject checks offline from a verified snapshot: every current declaration of the log
 * at one signed checkpoint, held as the file's bytes with a DID hash index (and a map of verified
 * origins), so a check is a syntax check and a hash probe; declarations are decoded only when an
 * answer's `declarations` is read. Open one with `SnapshotChecker.open(file, { verifierKey })`.
 * Handles need a DID: resolve them first (`checkAll` with a resolver, or `handles`); offline they
 * are an error. The answers are those of the indexer's checkSubjects at the snapshot's checkpoint.
 */
export class SnapshotChecker {
  readonly manifest: SnapshotManifest
  /** Number of declarations held. */
  readonly count: number
  readonly #data: SnapshotData
  readonly #nsids = new Map<string, boolean>()

  /** Verifies and loads a snapshot (see loadSnapshot for what is checked). */
  static async open(
    source: SnapshotSource,
    options: LoadSnapshotOptions,
  ): Promise<Result<SnapshotChecker, SnapshotError>> {
    const loaded = await loadSnapshot(source, options)
    return loaded.ok ? ok(new SnapshotChecker(loaded.value)) : loaded
  }

  /** From an already verified snapshot. */
  constructor(loaded: LoadedSnapshot) {
    this.manifest = loaded.manifest
    this.#data = loaded.data
    this.count = loaded.data.count
  }

  /** The signed checkpoint the snapshot is of. */
  get checkpoint(): { origin: string; size: number; rootHash: Uint8Array; note: string } {
    const m = this.manifest
    return { origin: m.origin, size: m.size, rootHash: m.rootHash, note: m.checkpoint }
  }

  /** Every declaration of an account (not its origin-scope ones), in uri order. */
  declarationsOf(did: string): readonly SnapshotDeclaration[] {
    const data = this.#data
    const a = data.find(did, 0, did.length)
    return a < 0 ? NONE : Object.freeze(data.positions(a).map((pos) => data.declaration(a, pos)))
  }

  /**
   * Checks one subject, synchronously: InvalidSubject for a string that is not one,
   * UnresolvableSubject for a handle not in `opts.handles`.
   */
  check(input: string, opts?: SnapshotCheckOptions): Result<SnapshotCheck, CheckError> {
    const purpose = opts?.purpose ?? 'trainAi'
    if (purpose !== 'trainAi' && !isPurpose(purpose)) throw new TypeError(`unknown purpose purpose=${String(purpose)}`)
    // Fast paths, exactly parseSubject's: a DID, an at-uri of a DID, a plain web URL.
    if (input.length <= MAX_SUBJECT_LENGTH) {
      if (input.startsWith('did:')) {
        const hash = didHashAt(input, 0, input.length)
        if (hash >= 0) {
          const a = this.#data.findHashed(input, 0, input.length, hash)
          return ok(this.#answerOf(input, { input, kind: 'account', did: input }, purpose, a))
        }
      } else if (input.startsWith('at://did:')) {
        const fast = this.#atUri(input, purpose)
        if (fast) return ok(fast)
      } else if (input.startsWith('http')) {
        const origin = webOrigin(input)
        if (origin !== undefined) return ok(this.#web(input, { input, kind: 'web', origin }, purpose, origin))
      }
    }
    const parsed = parseSubject(input)
    if (!parsed.ok) return err(new CheckError('InvalidSubject', parsed.error.message, { cause: parsed.error }))
    const local = this.#local(parsed.value, opts?.handles)
    if (!local.ok) return local
    const { subject, verdictSubject } = local.value
    if (verdictSubject.kind === 'web') return ok(this.#web(input, subject, purpose, verdictSubject.origin))
    const did = verdictSubject.did
    const collection = verdictSubject.kind === 'account' ? undefined : verdictSubject.collection
    const rkey = verdictSubject.kind === 'record' ? verdictSubject.rkey : undefined
    return ok(this.#answer(input, subject, purpose, did, 0, did.length, collection, rkey))
  }

  /** at://<did>[/<nsid>[/<rkey>]] without the general parser; undefined: let parseSubject judge. */
  #atUri(input: string, purpose: Purpose): Answer | undefined {
    const n = input.length
    let s1 = input.indexOf('/', 5)
    if (s1 < 0) s1 = n
    const hash = didHashAt(input, 5, s1)
    if (hash < 0) return undefined
    const did = input.slice(5, s1)
    if (s1 === n) {
      const a = this.#data.findHashed(input, 5, s1, hash)
      return this.#answerOf(input, { input, kind: 'account', did }, purpose, a)
    }
    let s2 = input.indexOf('/', s1 + 1)
    if (s2 < 0) s2 = n
    const collection = input.slice(s1 + 1, s2)
    if (!this.#isNsid(collection)) return undefined
    let subject: CheckedSubject
    let rkey: string | undefined
    if (s2 === n) {
      subject = { input, kind: 'collection', did, collection }
    } else {
      if (!isRecordKeyAt(input, s2 + 1, n) || input.indexOf('/', s2 + 1) >= 0) return undefined
      rkey = input.slice(s2 + 1)
      subject = { input, kind: 'record', did, collection, rkey, uri: `at://${did}/${collection}/${rkey}` }
    }
    const a = this.#data.findHashed(input, 5, s1, hash)
    return this.#answerOf(input, subject, purpose, a, collection, rkey)
  }

  #isNsid(collection: string): boolean {
    let valid = this.#nsids.get(collection)
    if (valid === undefined) {
      valid = isValidNsid(collection)
      if (this.#nsids.size >= MAX_NSID_CACHE) this.#nsids.clear()
      this.#nsids.set(collection, valid)
    }
    return valid
  }

  /** The answer for an account (collection undefined), collection or record subject of the DID in key[start, end). */
  #answer(
    input: string,
    subject: CheckedSubject,
    purpose: Purpose,
    key: string,
    start: number,
    end: number,
    collection?: string,
    rkey?: string,
  ): Answer {
    return this.#answerOf(input, subject, purpose, this.#data.find(key, start, end), collection, rkey)
  }

  /** The answer for a subject of account a (-1: none). */
  #answerOf(input: string, subject: CheckedSubject, purpose: Purpose, a: number, collection?: string, rkey?: string) {
    const data = this.#data
    if (a < 0) return new Answer(input, subject, purpose, verdictOf(UNKNOWN_BITS), undefined, -1, undefined, undefined)
    const bits =
      collection === undefined || !data.hasNarrower(a)
        ? data.accountBits(a)
        : data.narrowBits(a, collection, rkey, subject.uri ?? '')
    return new Answer(input, subject, purpose, verdictOf(bits), data, a, collection, rkey)
  }

  #web(input: string, subject: CheckedSubject, purpose: Purpose, origin: string): Answer {
    const data = this.#data
    const list = data.origins.get(origin)
    if (!list) return new Answer(input, subject, purpose, verdictOf(UNKNOWN_BITS), undefined, -1, undefined, undefined)
    let bits = 0
    for (let i = 0; i < list.length; i += 2) bits |= data.prefBits(list[i + 1] as number)
    return new Answer(input, subject, purpose, verdictOf(bits), data, -1, origin, undefined)
  }

  /**
   * Checks many subjects; handles are resolved first with `resolveHandle` (a DID or null), each
   * once. Without a resolver a handle is UnresolvableSubject.
   */
  async checkAll(
    inputs: readonly string[],
    opts: { purpose?: Purpose; resolveHandle?: (handle: string) => Promise<string | null> } = {},
  ): Promise<Result<SnapshotCheck, CheckError>[]> {
    const handles = new Map<string, string>()
    if (opts.resolveHandle) {
      const wanted = new Set<string>()
      for (const input of inputs) {
        const p = parseSubject(input)
        if (p.ok && 'actor' in p.value && 'handle' in p.value.actor) wanted.add(p.value.actor.handle)
      }
      for (const handle of wanted) {
        const did = await opts.resolveHandle(handle)
        if (did) handles.set(handle, did)
      }
    }
    const purpose = opts.purpose ?? 'trainAi'
    return inputs.map((input) => this.check(input, { purpose, handles }))
  }

  #local(
    subject: Subject,
    handles: ReadonlyMap<string, string> | undefined,
  ): Result<{ subject: CheckedSubject; verdictSubject: VerdictSubject }, CheckError> {
    const input = subject.input
    if (subject.kind === 'web') {
      return ok({
        subject: { input, kind: 'web', origin: subject.origin },
        verdictSubject: { kind: 'web', origin: subject.origin },
      })
    }
    const actor = subject.actor
    let did: string
    let handle: string | undefined
    if ('did' in actor) {
      did = actor.did
    } else {
      handle = actor.handle
      const found = handles?.get(handle)
      if (found === undefined) {
        return err(new CheckError('UnresolvableSubject', `a handle needs a resolver offline handle=${handle}`))
      }
      did = found
    }
    const checked: CheckedSubject = { input, kind: subject.kind, did }
    if (handle !== undefined) checked.handle = handle
    if (subject.kind === 'record') {
      checked.collection = subject.collection
      checked.rkey = subject.rkey
      checked.uri = `at://${did}/${subject.collection}/${subject.rkey}`
      return ok({
        subject: checked,
        verdictSubject: { kind: 'record', did, collection: subject.collection, rkey: subject.rkey },
      })
    }
    if (subject.kind === 'collection') {
      checked.collection = subject.collection
      return ok({ subject: checked, verdictSubject: { kind: 'collection', did, collection: subject.collection } })
    }
    return ok({ subject: checked, verdictSubject: { kind: 'account', did } })
  }
}
