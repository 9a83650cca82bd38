/**
 * Tells live subscribers when the change feed grew. One poller per process, and only while
 * someone waits: it reads the newest seq every `pollMs` (the store may be written by another
 * process, e.g. API replicas over PostgreSQL, so it does not rely on in-process events).
 */
export class ChangeNotifier {
  private latest = 0
  private timer: NodeJS.Timeout | undefined
  private readonly waiters = new Set<{ after: number; resolve: () => void }>()
  private polling = false

  constructor(
    private readonly latestSeq: () => Promise<number>,
    private readonly pollMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Resolves once the feed holds a change after `after`, or when `signal` aborts. */
  wait(after: number, signal: AbortSignal): Promise<void> {
    if (this.latest > after || signal.aborted) return Promise.resolve()
    return new Promise<void>((resolve) => {
      const waiter = {
        after,
        resolve: () => {
          this.waiters.delete(waiter)
          signal.removeEventListener('abort', waiter.resolve)
          resolve()
        },
      }
      this.waiters.add(waiter)
      signal.addEventListener('abort', waiter.resolve, { once: true })
      this.timer ??= setInterval(() => void this.poll(), this.pollMs)
    })
  }

  private async poll(): Promise<void> {
    if (this.polling) return
    this.polling = true
    try {
      this.latest = await this.latestSeq()
      for (const w of [...this.waiters]) if (this.latest > w.after) w.resolve()
    } catch (err) {
      this.onError(err)
    } finally {
      this.polling = false
      if (this.waiters.size === 0 && this.timer) {
        clearInterval(this.timer)
        this.timer = undefined
      }
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    for (const w of [...this.waiters]) w.resolve()
  }
}
