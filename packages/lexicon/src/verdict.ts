/** The purposes of use a declaration can speak to, in the order they are rendered. */
export const PURPOSES = ['trainAi', 'trainGenai', 'aiInput', 'search'] as const
export type Purpose = (typeof PURPOSES)[number]

export type Preference = 'allow' | 'deny'
export type VerdictValue = Preference | 'unknown'

/** Preferences as found in a record: values other than 'allow' and 'deny' mean "no statement". */
export type Preferences = { readonly [P in Purpose]?: string }
export type Verdict = { [P in Purpose]: VerdictValue }

/** Reads one preference value; anything but 'allow' or 'deny' (a future value, a typo) is no statement. */
export function readPreference(value: unknown): Preference | undefined {
  return value === 'allow' || value === 'deny' ? value : undefined
}

export function isPurpose(value: string): value is Purpose {
  return (PURPOSES as readonly string[]).includes(value)
}

/**
 * Combines the preferences of every applicable declaration, most restrictively per purpose:
 * any 'deny' wins, otherwise any 'allow', otherwise 'unknown'. A 'trainAi' deny also denies
 * the narrower 'trainGenai'.
 */
export function combinePreferences(all: Iterable<Preferences>): Verdict {
  const verdict: Verdict = { trainAi: 'unknown', trainGenai: 'unknown', aiInput: 'unknown', search: 'unknown' }
  for (const prefs of all) {
    for (const purpose of PURPOSES) {
      const pref = readPreference(prefs[purpose])
      if (pref === 'deny') verdict[purpose] = 'deny'
      else if (pref === 'allow' && verdict[purpose] === 'unknown') verdict[purpose] = 'allow'
    }
  }
  if (verdict.trainAi === 'deny') verdict.trainGenai = 'deny'
  return verdict
}

/** A declaration's scope, normalised across source kinds. */
export type Scope =
  | { type: 'account' }
  | { type: 'collection'; collection: string }
  | { type: 'record'; uri: string; cid?: string }
  | { type: 'origin'; origin: string; verified: boolean }

/** What a verdict is asked about, with the account already resolved to a DID. */
export type VerdictSubject =
  | { kind: 'account'; did: string }
  | { kind: 'collection'; did: string; collection: string }
  | { kind: 'record'; did: string; collection: string; rkey: string }
  | { kind: 'web'; origin: string }

export interface ScopedDeclaration {
  did: string
  scope: Scope
  preferences: Preferences
}

/**
 * Whether a declaration applies to a subject. Account scope covers everything in the account's
 * repository; collection scope every record of that collection; record scope one record URI;
 * origin scope web URLs under that origin, and only when the origin binding is verified.
 */
export function appliesTo(decl: ScopedDeclaration, subject: VerdictSubject): boolean {
  const { scope } = decl
  if (subject.kind === 'web') {
    return scope.type === 'origin' && scope.verified && scope.origin === subject.origin
  }
  if (decl.did !== subject.did) return false
  switch (scope.type) {
    case 'account':
      return true
    case 'collection':
      return subject.kind !== 'account' && scope.collection === subject.collection
    case 'record':
      return subject.kind === 'record' && scope.uri === `at://${subject.did}/${subject.collection}/${subject.rkey}`
    case 'origin':
      return false
  }
}

/** The verdict for a subject and the declarations it came from, in the order given. */
export function verdictFor<D extends ScopedDeclaration>(
  subject: VerdictSubject,
  declarations: Iterable<D>,
): { verdict: Verdict; applied: D[] } {
  const applied: D[] = []
  for (const decl of declarations) if (appliesTo(decl, subject)) applied.push(decl)
  return { verdict: combinePreferences(applied.map((d) => d.preferences)), applied }
}
