/** Expected failures are values: a function that can fail for a known reason returns a Result. */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E }

/** The outcome of a check that yields nothing on success. */
export type Check<E> = { ok: true } | { ok: false; error: E }

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value })
export const fail = <E>(error: E): { ok: false; error: E } => ({ ok: false, error })
export const passed: { ok: true } = Object.freeze({ ok: true })

/** Base class of every error of this folder: `code` is stable, the message is for people. */
export class TlogError<C extends string = string> extends Error {
  override name = 'TlogError'
  readonly code: C

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}
