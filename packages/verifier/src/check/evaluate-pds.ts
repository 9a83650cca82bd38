import { ACCOUNT_RKEY, bskyIds, err, ids, ok, type Result, verdictFor } from '@donottrain/lexicon'
import { declarationFromRecord } from '../declarations/index.js'
import type { SafeFetch } from '../identity/ssrf.js'
import type { PdsError } from '../pds/errors.js'
import { PdsClient, pdsEndpoint } from '../pds/pds-client.js'
import type { ProofError } from '../proof/errors.js'
import type { KeyResolver } from '../proof/types.js'
import { verifyKeyProof } from '../proof/verify-record.js'
import { mapLimit } from './limit.js'
import { provenAbsence, provenDeclaration } from './proven.js'
import type { Evaluation, LocalSubject, ProvenAbsence, ProvenDeclaration } from './types.js'

export interface EvaluatePdsDeps {
  resolver: KeyResolver
  fetch: SafeFetch
  concurrency: number
}

type Proven = Omit<Evaluation, 'checkedAt'>

/** The collections whose records can declare for a whole account, read at one fixed key. */
const SINGLE_KEYS = [ids.AiDonottrainDeclaration, bskyIds.profile, ids.OrgUserIntentsDemoDeclaration]
/** The collections whose every record may be a declaration. */
const LISTED = [ids.AiDonottrainDeclaration, ids.CommunityLexiconPreferenceAi]

/**
 * The answer from the account's own PDS, every part proven by `com.atproto.sync.getRecord`: the
 * account-wide declaration, the profile's #donottrain tag and the user-intents declaration
 * (each proven present or absent), every listed ai.donottrain.declaration and
 * community.lexicon.preference.ai record (listRecords is not signed: each one is proven), and
 * for a post, the post itself. Fails with the PdsError or ProofError that stopped it.
 */
export async function evaluateFromPds(
  local: LocalSubject,
  deps: EvaluatePdsDeps,
): Promise<Result<Proven, PdsError | ProofError>> {
  const { subject, verdictSubject, document } = local
  const did = subject.did
  if (document === undefined || did === undefined) throw new TypeError('a pds answer needs a resolved account')
  const endpoint = pdsEndpoint(document)
  if (!endpoint.ok) return endpoint
  const pds = new PdsClient(endpoint.value, deps.fetch)

  const keys: { collection: string; rkey: string; listed: boolean }[] = SINGLE_KEYS.map((collection) => ({
    collection,
    rkey: ACCOUNT_RKEY,
    listed: false,
  }))
  if (verdictSubject.kind === 'record' && verdictSubject.collection === bskyIds.post) {
    keys.push({ collection: bskyIds.post, rkey: verdictSubject.rkey, listed: false })
  }
  let truncated = false
  for (const collection of LISTED) {
    const listed = await pds.listRecordKeys(did, collection)
    if (!listed.ok) return listed
    truncated ||= listed.value.truncated
    for (const rkey of listed.value.rkeys) {
      if (!keys.some((k) => k.collection === collection && k.rkey === rkey))
        keys.push({ collection, rkey, listed: true })
    }
  }

  const declarations: ProvenDeclaration[] = []
  const absences: ProvenAbsence[] = []
  const results = await mapLimit(keys, deps.concurrency, async ({ collection, rkey, listed }) => {
    const car = await pds.getRecordProof({ did, collection, rkey })
    if (!car.ok) return car
    const proof = await verifyKeyProof(car.value, { did, collection, rkey, resolver: deps.resolver })
    if (!proof.ok) return proof
    if (!proof.value.present) {
      // a listed record deleted since the listing is simply gone; a fixed key proven empty is evidence
      if (!listed) absences.push(provenAbsence(proof.value.proof, car.value))
      return ok(undefined)
    }
    const { record, recordCid } = proof.value.proof
    const made = declarationFromRecord(record, { did, collection, rkey, cid: recordCid })
    // records that declare nothing, or are invalid, count for nothing (as in the indexer)
    if (made.ok) declarations.push(provenDeclaration(made.value, proof.value.proof, car.value))
    return ok(undefined)
  })
  const failed = results.find((r) => !r.ok)
  if (failed !== undefined && !failed.ok) return err(failed.error)
  const order = (uri: string) => keys.findIndex((k) => uri.endsWith(`/${k.collection}/${k.rkey}`))
  declarations.sort((a, b) => order(a.uri) - order(b.uri))
  absences.sort((a, b) => order(a.uri) - order(b.uri))
  const { verdict, applied } = verdictFor(verdictSubject, declarations)
  return ok({ subject, basis: 'pds', verdict, declarations: applied, absences, origins: [], truncated })
}
