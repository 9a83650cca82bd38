import { err, ok, parseSubject, type Result, type VerdictSubject } from '@donottrain/lexicon'
import { CheckError } from './errors.js'
import { type AccountResolver, resolveAccount } from './resolve-account.js'
import type { CheckedSubject, LocalSubject } from './types.js'

/**
 * Parses a subject string and resolves its account here, not trusting anyone's word for it: a
 * handle must resolve to a DID whose document claims it back. Web URLs need no resolution (the
 * origin is the subject); a Bluesky CDN URL is about the account that uploaded the blob.
 */
export async function resolveSubject(input: string, deps: AccountResolver): Promise<Result<LocalSubject, CheckError>> {
  const parsed = parseSubject(input)
  if (!parsed.ok) return err(new CheckError('InvalidSubject', parsed.error.message, { cause: parsed.error }))
  const subject = parsed.value
  if (subject.kind === 'web') {
    return ok({
      subject: { input, kind: 'web', origin: subject.origin },
      verdictSubject: { kind: 'web', origin: subject.origin },
    })
  }
  const account = await resolveAccount(subject.actor, deps)
  if (!account.ok) return account
  const { did, handle, document } = account.value
  const checked: CheckedSubject = { input, kind: subject.kind, did, ...(handle !== undefined ? { handle } : {}) }
  let verdictSubject: VerdictSubject
  switch (subject.kind) {
    case 'record':
      checked.collection = subject.collection
      checked.rkey = subject.rkey
      checked.uri = `at://${did}/${subject.collection}/${subject.rkey}`
      verdictSubject = { kind: 'record', did, collection: subject.collection, rkey: subject.rkey }
      break
    case 'collection':
      checked.collection = subject.collection
      verdictSubject = { kind: 'collection', did, collection: subject.collection }
      break
    default:
      verdictSubject = { kind: 'account', did }
  }
  return ok({ subject: checked, verdictSubject, document })
}

/** The verdict subject of a resolved subject (as a receipt records it). */
export function verdictSubjectOf(subject: CheckedSubject): VerdictSubject | undefined {
  if (subject.kind === 'web') return subject.origin === undefined ? undefined : { kind: 'web', origin: subject.origin }
  const { did, collection, rkey } = subject
  if (did === undefined) return undefined
  if (subject.kind === 'record') {
    return collection === undefined || rkey === undefined ? undefined : { kind: 'record', did, collection, rkey }
  }
  if (subject.kind === 'collection')
    return collection === undefined ? undefined : { kind: 'collection', did, collection }
  return { kind: 'account', did }
}
