import { emptyRoot, type NoteSigner, signCheckpoint } from '@donottrain/verifier'
import type { LogStore } from './log-store.js'
import type { LogCheckpointTable } from './schema.js'

export interface CheckpointerOptions {
  log: LogStore
  signer: NoteSigner
  /** The log's origin line, e.g. `indexer.example.com/donottrain/log`. */
  origin: string
  /** A new checkpoint at least this often while the log grows. */
  intervalMs: number
  onError(err: unknown): void
}

/**
 * Signs C2SP tlog-checkpoints of the log: on start, every interval when the log grew, and on
 * demand. Checkpoints are stored, so "what was in effect at time T" can name the checkpoint
 * that covered T.
 */
export class Checkpointer {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<unknown> = Promise.resolve()

  constructor(private readonly opts: CheckpointerOptions) {}

  /** Signs a checkpoint of the current tree unless the newest one already covers it. */
  checkpoint(): Promise<LogCheckpointTable> {
    const next = this.running.then(
      () => this.make(),
      () => this.make(),
    )
    this.running = next.catch(() => undefined)
    return next
  }

  private async make(): Promise<LogCheckpointTable> {
    const { log, signer, origin } = this.opts
    const size = await log.size()
    const latest = await log.latestCheckpoint()
    if (latest && latest.size === size) return latest
    const root = size === 0 ? emptyRoot() : await log.rootAt(size)
    const note = await signCheckpoint({ origin, size, rootHash: root, extensions: [] }, signer)
    const cp = { size, root, note, created_at: new Date().toISOString() }
    await log.saveCheckpoint(cp)
    return cp
  }

  start(): void {
    const tick = () => {
      this.checkpoint()
        .catch((err) => this.opts.onError(err))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.opts.intervalMs)
        })
    }
    this.timer = setTimeout(tick, 0)
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    await this.running
  }
}
