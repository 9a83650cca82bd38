import {
  type AiDonottrainDefs,
  ids,
  isValidDatetime,
  parseSubject,
  renderVerdict,
  SCOPE_TYPES,
  type Scope,
  verdictFor,
} from '@donottrain/lexicon'
import type { Queries } from '../db/queries.js'
import { attachInclusionProofs, type TlogDeps } from './log-proofs.js'
import { accountVerdictSubject, type HandleLookup, type StatusAnswer } from './status.js'

/** Most changes of one account replayed for a past answer. */
const MAX_HISTORY = 100_000
const STATUS_TYPE = `${ids.AiDonottrainDefs}#statusView` as const
const ERROR_TYPE = `${ids.AiDonottrainDefs}#subjectError` as const
const RECORD_TARGET = `${ids.AiDonottrainDefs}#recordTarget`

type View = AiDonottrainDefs.DeclarationView

/**
 * "What was in effect at time T": the newest checkpoint made at or before T fixes a tree size;
 * the account's changes up to that tree's last leaf are replayed (create/update set a version,
 * delete removes it, purge clears the account, hide/restore set its state), and the verdict is
 * computed from what remains — with inclusion proofs to that checkpoint, so the answer is
 * provable, not self-asserted.
 */
export async function statusAt(
  input: string,
  at: string,
  deps: { queries: Queries; lookupHandles: HandleLookup; tlog: TlogDeps },
): Promise<StatusAnswer> {
  const fail = (error: string, message: string): StatusAnswer => ({
    ok: false,
    error: { $type: ERROR_TYPE, input: input.slice(0, 8192), error, message },
  })
  if (!isValidDatetime(at)) return fail('InvalidRequest', 'at must be an RFC 3339 datetime')
  const parsed = parseSubject(input)
  if (!parsed.ok) return fail('InvalidSubject', parsed.error.message)
  const subject = parsed.value
  if (subject.kind === 'web')
    return fail('InvalidSubject', 'at= answers accounts, collections and records, not web URLs')
  let did = 'did' in subject.actor ? subject.actor.did : undefined
  const handle = 'handle' in subject.actor ? subject.actor.handle : undefined
  if (!did && handle) did = (await deps.lookupHandles([handle])).get(handle) ?? undefined
  if (!did) return fail('UnresolvableSubject', `handle did not resolve handle=${handle}`)

  const cp = await deps.tlog.store.checkpointAt(new Date(at).toISOString())
  if (!cp) return fail('NoCheckpoint', `no checkpoint was made at or before at=${at}`)
  const last = cp.size === 0 ? undefined : (await deps.tlog.store.entries(cp.size - 1, 1))[0]
  const maxSeq = last?.change_seq ?? 0
  const changes = maxSeq === 0 ? [] : await deps.queries.changesForDid(did, maxSeq, MAX_HISTORY + 1)
  if (changes.length > MAX_HISTORY) return fail('InvalidRequest', 'account history too long to replay')

  const current = new Map<string, { view: View; seq: number }>()
  let active = true
  for (const c of changes) {
    if ((c.kind === 'create' || c.kind === 'update') && c.uri && c.view) {
      current.set(c.uri, { view: JSON.parse(c.view) as View, seq: c.seq })
    } else if (c.kind === 'delete' && c.uri) current.delete(c.uri)
    else if (c.kind === 'purge') current.clear()
    else if (c.kind === 'hide') active = false
    else if (c.kind === 'restore') active = true
  }
  const verdictSubject = accountVerdictSubject(subject, did)
  const decls = [...current.values()].map(({ view, seq }) => ({
    did,
    scope: viewScope(view),
    preferences: view.preferences as Record<string, string>,
    view,
    seq,
  }))
  const { verdict, applied } = verdictFor(verdictSubject, decls)
  const leaves = await deps.tlog.store.leafIndexes(applied.map((d) => d.seq))
  const declarations = applied.map((d) => {
    const leaf = leaves.get(d.seq)
    return leaf === undefined ? d.view : { ...d.view, logIndex: leaf }
  })
  const status: AiDonottrainDefs.StatusView = {
    $type: STATUS_TYPE,
    subject: {
      input,
      kind: subject.kind,
      did,
      ...(handle && { handle }),
      ...(subject.kind === 'collection' && {
        collection: subject.collection,
        uri: `at://${did}/${subject.collection}`,
      }),
      ...(subject.kind === 'record' && {
        collection: subject.collection,
        uri: `at://${did}/${subject.collection}/${subject.rkey}`,
      }),
    },
    verdict,
    declarations,
    renderings: renderVerdict(verdict),
    ...(changes.length > 0 && { accountActive: active }),
    at: new Date(at).toISOString(),
  }
  await attachInclusionProofs([status], deps.tlog, cp)
  return { ok: true, status }
}

/** The verdict model's scope of a stored declaration view. */
function viewScope(view: View): Scope {
  const scope = view.scope as { $type?: string; collection?: string; uri?: string; cid?: string; origin?: string }
  switch (scope.$type) {
    case SCOPE_TYPES.collection:
      return { type: 'collection', collection: scope.collection ?? '' }
    case RECORD_TARGET:
      return scope.cid
        ? { type: 'record', uri: scope.uri ?? '', cid: scope.cid }
        : { type: 'record', uri: scope.uri ?? '' }
    case SCOPE_TYPES.origin:
      return { type: 'origin', origin: scope.origin ?? '', verified: view.originVerified === true }
    default:
      return { type: 'account' }
  }
}
