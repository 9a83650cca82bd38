export interface WaitOptions {
  /** Give up after this many milliseconds (default 10 s). */
  timeoutMs?: number
  /** Poll interval in milliseconds (default 25). */
  intervalMs?: number
  /** Describes the condition in the timeout error. */
  what?: string
}

/**
 * Polls `check` until it returns a value other than undefined/false, and returns it. Tests wait
 * on conditions like this, never on fixed sleeps: the PDS sequencer may take ~1 s after idle.
 */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  opts: WaitOptions = {},
): Promise<T> {
  const { timeoutMs = 10_000, intervalMs = 25, what = 'condition' } = opts
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const value = await check()
      if (value !== undefined && value !== false) return value
    } catch (err) {
      lastError = err
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError })
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}
