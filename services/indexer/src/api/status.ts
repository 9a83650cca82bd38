import {
  type AiDonottrainDefs,
  ids,
  parseSubject,
  renderVerdict,
  type ScopedDeclaration,
  type Subject,
  type VerdictSubject,
  verdictFor,
} from '@donottrain/lexicon'
import type { Queries } from '../db/queries.js'
import { declarationView, rowScope } from '../views.js'
import { attachInclusionProofs, type TlogDeps } from './log-proofs.js'
import { type AccountsRead, queryStatusReads, type StatusReads, type StatusRow } from './status-reads.js'

export type StatusView = AiDonottrainDefs.StatusView
export type SubjectError = AiDonottrainDefs.SubjectError

/** Resolves handles to DIDs; null when the handle does not resolve. Must not throw. */
export type HandleLookup = (handles: readonly string[]) => Promise<Map<string, string | null>>

export type StatusAnswer = { ok: true; status: StatusView } | { ok: false; error: SubjectError }

const STATUS_TYPE = `${ids.AiDonottrainDefs}#statusView` as const
const ERROR_TYPE = `${ids.AiDonottrainDefs}#subjectError` as const
const INACTIVE = new Set(['deactivated', 'takendown', 'suspended'])

type Resolved = { subject: Subject; did?: string; handle?: string; verdictSubject: VerdictSubject }

/** Where statusOf reads from: `reads` when given, else the store's query builders. */
export interface StatusDeps {
  queries: Queries
  lookupHandles: HandleLookup
  tlog?: TlogDeps
  reads?: StatusReads
}

/**
 * Answers a batch of subjects in input order with a constant number of queries: handles are
 * resolved together, then one read of the accounts' declarations and states, and one of the
 * origins'. A subject that cannot be answered gets a subjectError in its place.
 */
export async function statusOf(
  inputs: readonly string[],
  deps: StatusDeps,
  opts: { logProofs?: boolean } = {},
): Promise<StatusAnswer[]> {
  const parsed = inputs.map((input) => parseSubject(input))
  const handles = new Set<string>()
  for (const p of parsed) if (p.ok && 'actor' in p.value && 'handle' in p.value.actor) handles.add(p.value.actor.handle)
  const handleDids = handles.size > 0 ? await deps.lookupHandles([...handles]) : new Map<string, string | null>()

  const resolved: Array<Resolved | SubjectError> = parsed.map((p, i) => {
    const input = inputs[i] as string
    if (!p.ok) return subjectError(input, 'InvalidSubject', p.error.message)
    const subject = p.value
    if (subject.kind === 'web') return { subject, verdictSubject: { kind: 'web', origin: subject.origin } }
    const actor = subject.actor
    const handle = 'handle' in actor ? actor.handle : undefined
    const did = 'did' in actor ? actor.did : handle ? handleDids.get(handle) : undefined
    if (!did) return subjectError(input, 'UnresolvableSubject', `handle did not resolve handle=${handle}`)
    return { subject, did, ...(handle && { handle }), verdictSubject: accountVerdictSubject(subject, did) }
  })

  const dids: string[] = []
  const origins: string[] = []
  for (const r of resolved) {
    if ('error' in r) continue
    if (r.did) dids.push(r.did)
    if (r.subject.kind === 'web') origins.push(r.subject.origin)
  }
  const reads = deps.reads ?? queryStatusReads(deps.queries, deps.tlog?.store)
  const [accounts, byOrigin] = await Promise.all([
    dids.length > 0 ? reads.accounts(dids) : ({ rows: [], repos: new Map() } as AccountsRead),
    origins.length > 0 ? reads.origins(origins) : [],
  ])
  const index = new Map<string, Array<ScopedDeclaration & { row: StatusRow }>>()
  const add = (key: string, row: StatusRow) => {
    let list = index.get(key)
    if (!list) {
      list = []
      index.set(key, list)
    }
    list.push({ did: row.did, scope: rowScope(row), preferences: row.preferences as Preferences, row })
  }
  for (const row of accounts.rows) add(row.did, row)
  for (const row of byOrigin) if (row.scope_target) add(`origin:${row.scope_target}`, row)

  const statuses: StatusView[] = []
  const answers = resolved.map((r): StatusAnswer => {
    if ('error' in r) return { ok: false, error: r }
    const key = r.subject.kind === 'web' ? `origin:${r.subject.origin}` : (r.did as string)
    const { verdict, applied } = verdictFor(r.verdictSubject, index.get(key) ?? [])
    const repo = r.did ? accounts.repos.get(r.did) : undefined
    const status: StatusView = {
      $type: STATUS_TYPE,
      subject: subjectView(r, repo?.handle ?? undefined),
      verdict,
      declarations: applied.map((d) => {
        const view = declarationView(d.row, d.row.preferences as Preferences)
        if (deps.tlog && d.row.log_index !== null) view.logIndex = d.row.log_index
        return view
      }),
      renderings: renderings(verdict),
      ...(repo && { accountActive: !INACTIVE.has(repo.status) }),
    }
    statuses.push(status)
    return { ok: true, status }
  })
  if (deps.tlog && opts.logProofs) {
    const direct = reads.treeRows?.()
    await attachInclusionProofs(statuses, deps.tlog, undefined, accounts.checkpointSize, direct)
  }
  return answers
}

type Preferences = AiDonottrainDefs.Preferences
type Verdict = Parameters<typeof renderVerdict>[0]

/**
 * Renderings depend on the verdict alone, and there are few verdicts: each is rendered once and
 * the same (never modified) object is shared by every answer with that verdict.
 */
const RENDERED = new Map<string, AiDonottrainDefs.Renderings>()

function renderings(verdict: Verdict): AiDonottrainDefs.Renderings {
  const key = `${verdict.trainAi}|${verdict.trainGenai}|${verdict.aiInput}|${verdict.search}`
  let out = RENDERED.get(key)
  if (!out) {
    out = renderVerdict(verdict)
    // Verdict values outside the known ones are not expected; bound the map regardless.
    if (RENDERED.size < 1000) RENDERED.set(key, out)
  }
  return out
}

/** What a verdict is computed for, for a subject of an account (a blob counts as its account). */
export function accountVerdictSubject(subject: Exclude<Subject, { kind: 'web' }>, did: string): VerdictSubject {
  if (subject.kind === 'record') return { kind: 'record', did, collection: subject.collection, rkey: subject.rkey }
  if (subject.kind === 'collection') return { kind: 'collection', did, collection: subject.collection }
  return { kind: 'account', did }
}

function subjectView(r: Resolved, storedHandle: string | undefined): AiDonottrainDefs.SubjectView {
  const s = r.subject
  const kind = s.kind
  const handle = r.handle ?? storedHandle
  const view: AiDonottrainDefs.SubjectView = { input: s.input, kind }
  if (r.did) view.did = r.did
  if (handle) view.handle = handle
  if (s.kind === 'collection') {
    view.collection = s.collection
    view.uri = `at://${r.did}/${s.collection}`
  }
  if (s.kind === 'record') {
    view.collection = s.collection
    view.uri = `at://${r.did}/${s.collection}/${s.rkey}`
  }
  if (s.kind === 'web') view.origin = s.origin
  return view
}

function subjectError(input: string, error: 'InvalidSubject' | 'UnresolvableSubject', message: string): SubjectError {
  return { $type: ERROR_TYPE, input: input.slice(0, 8192), error, message: message.slice(0, 1000) }
}
