// Result values without a runtime import of @donottrain/lexicon (whose index loads @atproto/api):
// the type is the project's one, the two constructors are the same one-liners.
export type { Result } from '@donottrain/lexicon'

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value })
export const err = <E>(error: E): { ok: false; error: E } => ({ ok: false, error })
