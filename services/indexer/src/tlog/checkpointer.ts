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
  private started = false
  /** The newest note this checkpointer signed or found to be its own. */
  private own: string | undefined

  constructor(private readonly opts: CheckpointerOptions) {}

  /**
   * Signs a checkpoint of the current tree unless the newest one already covers it (and was
   * signed with this origin and key: if not, it is signed again).
   */
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
    if (latest && latest.size === size) {
      if (latest.note === this.own) return latest
      // Ed25519 signatures are deterministic: the newest checkpoint is this log's as it is now
      // configured iff signing its tree again gives the same note. Else the operator changed the
      // log's origin (its public host) or its key since: the same tree is signed again, and the
      // stored note replaced, so clients verifying with the published key are not served a note
      // they must refuse until the log next grows.
      const note = await signCheckpoint({ origin, size, rootHash: latest.root, extensions: [] }, signer)
      if (note !== latest.note) await log.replaceCheckpointNote(size, note)
      this.own = note
      return { ...latest, note }
    }
    const root = size === 0 ? emptyRoot() : await log.rootAt(size)
    const note = await signCheckpoint({ origin, size, rootHash: root, extensions: [] }, signer)
    const cp = { size, root, note, created_at: new Date().toISOString() }
    await log.saveCheckpoint(cp)
    this.own = note
    return cp
  }

  /**
   * Signs the first checkpoint now (a failure goes to onError), then one every interval while
   * the log grows. Resolves once the first is done, so a caller can serve nothing before it.
   */
  async start(): Promise<void> {
    this.started = true
    await this.checkpoint().catch((err) => this.opts.onError(err))
    const tick = () => {
      this.checkpoint()
        .catch((err) => this.opts.onError(err))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.opts.intervalMs)
        })
    }
    if (this.started) this.timer = setTimeout(tick, this.opts.intervalMs)
  }

  async stop(): Promise<void> {
    this.started = false
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    await this.running
  }
}
