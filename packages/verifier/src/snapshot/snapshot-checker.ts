import {
  err,
  isPurpose,
  isValidDid,
  MAX_SUBJECT_LENGTH,
  ok,
  type Purpose,
  parseSubject,
  type Result,
  type Subject,
  type Verdict,
  type VerdictSubject,
  type VerdictValue,
  verdictFor,
} from '@donottrain/lexicon'
import { CheckError } from '../check/errors.js'
import type { CheckedSubject } from '../check/types.js'
import type { SnapshotDeclaration } from './entry.js'
import type { SnapshotError } from './errors.js'
import { type LoadedSnapshot, type LoadSnapshotOptions, loadSnapshot, type SnapshotSource } from './load.js'
import type { SnapshotManifest } from './manifest.js'

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
const UNKNOWN: Verdict = Object.freeze({
  trainAi: 'unknown',
  trainGenai: 'unknown',
  aiInput: 'unknown',
  search: 'unknown',
})

/** An account's declarations, and (computed on first ask) its account-wide verdict. */
interface DidEntry {
  list: SnapshotDeclaration[]
  account?: Computed
}

interface Computed {
  verdict: Readonly<Verdict>
  applied: readonly SnapshotDeclaration[]
}

/**
 * Answers subject checks offline from a verified snapshot: every current declaration of the log
 * at one signed checkpoint, held in memory and indexed by DID (and verified origin), so a check is
 * a parse and a map lookup. Open one with `SnapshotChecker.open(file, { verifierKey })`. Handles
 * need a DID: resolve them first (`checkAll` with a resolver, or `handles`); offline they are an
 * error. The answers are those of the indexer's checkSubjects at the snapshot's checkpoint.
 */
export class SnapshotChecker {
  readonly manifest: SnapshotManifest
  /** Number of declarations held. */
  readonly count: number
  readonly #byDid = new Map<string, DidEntry>()
  readonly #byOrigin = new Map<string, SnapshotDeclaration[]>()

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
    this.count = loaded.declarations.length
    for (const d of loaded.declarations) {
      if (d.scope.type === 'origin') {
        if (d.scope.verified) push(this.#byOrigin, d.scope.origin, d)
      } else {
        const entry = this.#byDid.get(d.did)
        if (entry) entry.list.push(d)
        else this.#byDid.set(d.did, { list: [d] })
      }
    }
  }

  /** The signed checkpoint the snapshot is of. */
  get checkpoint(): { origin: string; size: number; rootHash: Uint8Array; note: string } {
    const m = this.manifest
    return { origin: m.origin, size: m.size, rootHash: m.rootHash, note: m.checkpoint }
  }

  /** Every declaration of an account (not its origin-scope ones), in uri order. */
  declarationsOf(did: string): readonly SnapshotDeclaration[] {
    return this.#byDid.get(did)?.list ?? NONE
  }

  /**
   * Checks one subject, synchronously: InvalidSubject for a string that is not one,
   * UnresolvableSubject for a handle not in `opts.handles`.
   */
  check(input: string, opts: SnapshotCheckOptions = {}): Result<SnapshotCheck, CheckError> {
    const purpose = opts.purpose ?? 'trainAi'
    if (!isPurpose(purpose)) throw new TypeError(`unknown purpose purpose=${String(purpose)}`)
    // Fast path, exactly parseSubject's first branch: a DID is an account subject.
    if (input.length <= MAX_SUBJECT_LENGTH && input.startsWith('did:')) {
      const entry = this.#byDid.get(input)
      if (entry !== undefined) {
        entry.account ??= frozen(verdictFor({ kind: 'account', did: input }, entry.list))
        return ok(answer(input, { input, kind: 'account', did: input }, purpose, entry.account))
      }
      if (isValidDid(input)) {
        return ok(answer(input, { input, kind: 'account', did: input }, purpose, { verdict: UNKNOWN, applied: NONE }))
      }
    }
    const parsed = parseSubject(input)
    if (!parsed.ok) return err(new CheckError('InvalidSubject', parsed.error.message, { cause: parsed.error }))
    const local = this.#local(parsed.value, opts.handles)
    if (!local.ok) return local
    const { subject, verdictSubject } = local.value
    const candidates =
      verdictSubject.kind === 'web'
        ? (this.#byOrigin.get(verdictSubject.origin) ?? NONE)
        : (this.#byDid.get(verdictSubject.did)?.list ?? NONE)
    return ok(answer(input, subject, purpose, verdictFor(verdictSubject, candidates)))
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

function answer(
  input: string,
  subject: CheckedSubject,
  purpose: Purpose,
  { verdict, applied }: Computed,
): SnapshotCheck {
  const value = verdict[purpose]
  return {
    input,
    subject,
    purpose,
    verdict: value,
    verdicts: verdict,
    allowed: value !== 'deny',
    basis: 'snapshot',
    declarations: applied,
  }
}

function frozen(c: Computed): Computed {
  return { verdict: Object.freeze(c.verdict), applied: Object.freeze(c.applied) }
}

function push(map: Map<string, SnapshotDeclaration[]>, key: string, d: SnapshotDeclaration): void {
  const list = map.get(key)
  if (list) list.push(d)
  else map.set(key, [d])
}
