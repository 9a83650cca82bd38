import { AtpAgent } from '@atproto/api'
import {
  bskyIds,
  hasDonottrainTagInText,
  ids,
  type Preferences,
  parseSubject,
  postHasDonottrainTag,
  type Scope,
  type ScopedDeclaration,
  type Verdict,
  type VerdictSubject,
  verdictFor,
} from '@donottrain/lexicon'
import { declarationFromRecord } from '@donottrain/verifier'
import { InvalidInputError } from './errors.js'
import { type InvalidDeclarationEntry, listAllRecords, listDeclarations } from './list.js'
import { PROFILE_RKEY } from './profile.js'
import { createIdentityResolver, guardedPdsFetch, type IdentityResolver, resolveActor } from './resolve.js'
import { callOrMissing, DEFAULT_TIMEOUT_MS, timedFetch } from './xrpc.js'

/** Where a declaration was read from (the names of ai.donottrain.defs#declarationView.source). */
export type DeclarationSource = 'declaration' | 'profileTag' | 'postTag' | 'userIntents' | 'preferenceAi'

export interface StatusDeclaration {
  source: DeclarationSource
  uri: string
  cid: string | undefined
  scope: Scope
  preferences: Preferences
  statement?: string
  licenseUri?: string
  createdAt?: string
  /** Whether it counts for the subject asked about. */
  applies: boolean
}

export interface StatusSubject {
  input: string
  kind: 'account' | 'collection' | 'record'
  did: string
  /** The account's handle, when it checks out both ways. */
  handle?: string
  collection?: string
  uri?: string
}

export interface StatusResult {
  subject: StatusSubject
  /** The PDS the declarations were read from. */
  pds: string
  /** Per purpose: deny, allow or unknown, combined most restrictively (@donottrain/lexicon). */
  verdict: Verdict
  /** Every declaration the account has made, each marked with whether it applies. */
  declarations: StatusDeclaration[]
  /** Records in the declaration collection that are not valid declarations; they count for nothing. */
  invalid: InvalidDeclarationEntry[]
  /** True when the account has more declarations than were read. */
  truncated: boolean
}

export interface StatusOptions {
  /** Identity resolver (default: createIdentityResolver() with `plcUrl` and `allowLoopback`). */
  resolver?: IdentityResolver
  /** PLC directory for the default resolver. */
  plcUrl?: string
  /** Tests and local dev only: see ClientOptions.allowLoopback. */
  allowLoopback?: boolean
  /**
   * A PDS the caller configured: asked to resolve handles that DNS and HTTPS do not (self-hosted
   * or test handles), and reached without the loopback / private-address guard when it is the
   * subject's PDS. Any other PDS (named by the subject's DID document) goes through the guard.
   */
  service?: string
  /** fetch for the PDS calls (default: SSRF-guarded, see guardedPdsFetch). */
  fetch?: typeof globalThis.fetch
  /** Per-request timeout in milliseconds (default 15000). */
  timeoutMs?: number
}

/**
 * The #donottrain status of an account, collection or record, read straight from the account's
 * own PDS (no indexer): its declaration records, its profile's #donottrain tag, for a post the
 * post's own tag, and the two foreign vocabularies (org.user-intents, community.lexicon
 * preference.ai), each read by the indexer's rules and combined by the shared verdict rule of
 * @donottrain/lexicon.
 * Origin scopes are listed but not verified here, so they never affect the verdict.
 */
export async function status(input: string, opts: StatusOptions = {}): Promise<StatusResult> {
  const parsed = parseSubject(input)
  if (!parsed.ok) throw new InvalidInputError(`${parsed.error.message} input=${JSON.stringify(input)}`)
  const subject = parsed.value
  if (subject.kind === 'web') {
    throw new InvalidInputError(`web urls are answered by the indexer, not from a pds input=${input}`)
  }
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const resolver =
    opts.resolver ??
    createIdentityResolver({
      timeoutMs,
      ...(opts.plcUrl ? { plcUrl: opts.plcUrl } : {}),
      ...(opts.allowLoopback ? { allowLoopback: true } : {}),
      ...(opts.service ? { handleService: opts.service } : {}),
    })
  const actor = await resolveActor(resolver, 'did' in subject.actor ? subject.actor.did : subject.actor.handle)
  const { did, pds } = actor
  // The PDS comes from the subject's DID document: anyone's. Without an injected fetch, reach it
  // only through the SSRF guard.
  // A PDS the caller configured (`service`) is trusted like any configuration.
  const policy = sameOrigin(pds, opts.service) ? 'configured' : opts.allowLoopback ? 'loopback' : 'guarded'
  const pdsFetch = opts.fetch ?? guardedPdsFetch(policy, timeoutMs)
  const agent = new AtpAgent({ service: pds, fetch: timedFetch(pdsFetch, timeoutMs) })

  const verdictSubject: VerdictSubject =
    subject.kind === 'record'
      ? { kind: 'record', did, collection: subject.collection, rkey: subject.rkey }
      : subject.kind === 'collection'
        ? { kind: 'collection', did, collection: subject.collection }
        : { kind: 'account', did }
  const uri = subject.kind === 'record' ? `at://${did}/${subject.collection}/${subject.rkey}` : undefined

  const list = await listDeclarations(agent, pds, did)
  const found: Array<Omit<StatusDeclaration, 'applies'>> = []
  const invalid: InvalidDeclarationEntry[] = []
  for (const entry of list.entries) {
    if (!entry.valid) {
      invalid.push(entry)
      continue
    }
    const { statement, licenseUri, createdAt } = entry.record
    found.push({
      source: 'declaration',
      uri: entry.uri,
      cid: entry.cid,
      scope: entry.scope,
      preferences: entry.preferences,
      ...(statement !== undefined ? { statement } : {}),
      ...(licenseUri !== undefined ? { licenseUri } : {}),
      createdAt,
    })
  }
  const profile = await callOrMissing(pds, () =>
    agent.com.atproto.repo.getRecord({ repo: did, collection: bskyIds.profile, rkey: PROFILE_RKEY }),
  )
  const description = (profile?.data.value as { description?: unknown } | undefined)?.description
  if (profile && hasDonottrainTagInText(description)) {
    found.push(tagDeclaration('profileTag', profile.data.uri, profile.data.cid, { type: 'account' }))
  }
  if (uri && verdictSubject.kind === 'record' && verdictSubject.collection === bskyIds.post) {
    const postRes = await callOrMissing(pds, () =>
      agent.com.atproto.repo.getRecord({ repo: did, collection: bskyIds.post, rkey: verdictSubject.rkey }),
    )
    // The indexer's rule (a tag facet, the post's `tags`, or the text), so both read a post alike.
    const value = postRes?.data.value
    const tagged = typeof value === 'object' && value !== null && postHasDonottrainTag(value as Record<string, unknown>)
    if (postRes && tagged) found.push(tagDeclaration('postTag', uri, postRes.data.cid, { type: 'record', uri }))
  }

  found.push(...(await foreignDeclarations(agent, pds, did)))

  const scoped = found.map((d, index) => ({ did, scope: d.scope, preferences: d.preferences, index }))
  const { verdict, applied } = verdictFor<ScopedDeclaration & { index: number }>(verdictSubject, scoped)
  const applies = new Set(applied.map((d) => d.index))
  return {
    subject: {
      input,
      kind: verdictSubject.kind,
      did,
      ...(actor.handle ? { handle: actor.handle } : {}),
      ...(verdictSubject.kind !== 'account' ? { collection: verdictSubject.collection } : {}),
      ...(uri ? { uri } : {}),
    },
    pds,
    verdict,
    declarations: found.map((d, i) => ({ ...d, applies: applies.has(i) })),
    invalid,
    truncated: list.truncated,
  }
}

/**
 * The two foreign vocabularies the indexer honours, read by the same code (the verifier's
 * declarationFromRecord): org.user-intents.demo.declaration at rkey self, and every
 * community.lexicon.preference.ai record (up to MAX_DECLARATIONS). A record that does not
 * validate declares nothing, as for the indexer.
 */
async function foreignDeclarations(
  agent: AtpAgent,
  pds: string,
  did: string,
): Promise<Array<Omit<StatusDeclaration, 'applies'>>> {
  const out: Array<Omit<StatusDeclaration, 'applies'>> = []
  const add = (collection: string, uri: string, cid: string, value: unknown) => {
    if (typeof value !== 'object' || value === null) return
    const rkey = uri.slice(uri.lastIndexOf('/') + 1)
    const read = declarationFromRecord(value as Record<string, unknown>, { did, collection, rkey, cid })
    if (read.ok) {
      const { source, scope, preferences } = read.value
      out.push({ source: source as DeclarationSource, uri, cid, scope, preferences })
    }
  }
  const intents = await callOrMissing(pds, () =>
    agent.com.atproto.repo.getRecord({ repo: did, collection: ids.OrgUserIntentsDemoDeclaration, rkey: PROFILE_RKEY }),
  )
  if (intents?.data.cid) add(ids.OrgUserIntentsDemoDeclaration, intents.data.uri, intents.data.cid, intents.data.value)
  const { records } = await listAllRecords(agent, pds, did, ids.CommunityLexiconPreferenceAi)
  for (const rec of records) add(ids.CommunityLexiconPreferenceAi, rec.uri, rec.cid, rec.value)
  return out
}

// A #donottrain tag in a profile or post reads as a plain #donottrain: trainAi deny.
function tagDeclaration(
  source: 'profileTag' | 'postTag',
  uri: string,
  cid: string | undefined,
  scope: Scope,
): Omit<StatusDeclaration, 'applies'> {
  return { source, uri, cid, scope, preferences: { trainAi: 'deny' } }
}

function sameOrigin(a: string, b: string | undefined): boolean {
  if (b === undefined) return false
  try {
    return new URL(a).origin === new URL(b).origin
  } catch {
    return false
  }
}
