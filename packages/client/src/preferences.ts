import { isPurpose, type Preference, type Preferences, PURPOSES, type Purpose } from '@donottrain/lexicon'
import { InvalidPurposeError } from './errors.js'

/** Preferences as the client writes them: only known purposes, only 'allow' or 'deny'. */
export type PreferencesInput = Partial<Record<Purpose, Preference>>

/** What a plain "#donottrain" means: do not train AI on my content. */
export const DEFAULT_PREFERENCES: Readonly<PreferencesInput> = Object.freeze({ trainAi: 'deny' })

/**
 * Checks preferences supplied by a caller (possibly untyped, e.g. from a command line) and
 * returns them with the purposes in canonical order. Unknown purposes, values other than
 * 'allow'/'deny', and an empty set are refused with InvalidPurposeError.
 */
export function normalizePreferences(input: unknown): PreferencesInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidPurposeError('preferences must be an object of purpose: allow|deny')
  }
  const entries = Object.entries(input as Record<string, unknown>).filter(([, v]) => v !== undefined)
  for (const [purpose, value] of entries) {
    if (!isPurpose(purpose)) {
      throw new InvalidPurposeError(`unknown purpose purpose=${JSON.stringify(purpose)} known=${PURPOSES.join(',')}`)
    }
    if (value !== 'allow' && value !== 'deny') {
      throw new InvalidPurposeError(
        `preference must be allow or deny purpose=${purpose} value=${JSON.stringify(value)}`,
      )
    }
  }
  if (entries.length === 0) throw new InvalidPurposeError('no preference given, name at least one purpose')
  const map = new Map(entries)
  const out: PreferencesInput = {}
  for (const purpose of PURPOSES) {
    const value = map.get(purpose)
    if (value === 'allow' || value === 'deny') out[purpose] = value
  }
  return out
}

/** Same statement per purpose (values other than allow/deny compare as written). */
export function samePreferences(a: Preferences, b: Preferences): boolean {
  return PURPOSES.every((p) => a[p] === b[p]) && extraKeys(a).length === 0 && extraKeys(b).length === 0
}

function extraKeys(p: Preferences): string[] {
  return Object.keys(p).filter((k) => !isPurpose(k))
}
