import type { CommitEvent } from '../ingest/ingester.js'

/** Bytes of held commits one repository may pile up while its snapshot is fetched. */
const MAX_HELD_BYTES = 16 * 1024 * 1024

/**
 * The firehose commits of one repository held while its resync is pending. Before the fetch
 * starts, the snapshot will cover them, so they are not kept; during the fetch they are kept
 * (bounded: past the bounds they are dropped and `overflow` says another resync is needed).
 */
export class HeldCommits {
  /** A fetch is running: commits arriving now may be newer than its snapshot. */
  fetching = false
  overflow = false
  private kept: CommitEvent[] = []
  private bytes = 0

  constructor(private readonly maxEvents: number) {}

  get events(): readonly CommitEvent[] {
    return this.kept
  }

  add(event: CommitEvent): void {
    if (!this.fetching || this.overflow) return // covered by the coming fetch (or the next resync)
    const bytes = event.blocks.byteLength
    if (this.kept.length >= this.maxEvents || this.bytes + bytes > MAX_HELD_BYTES) {
      this.overflow = true
      this.clear()
      return
    }
    this.kept.push(event)
    this.bytes += bytes
  }

  /** A fetch starts (true) or ended without a snapshot (false): what was held is covered by the next. */
  reset(fetching: boolean): void {
    this.fetching = fetching
    this.overflow = false
    this.clear()
  }

  private clear(): void {
    this.kept = []
    this.bytes = 0
  }
}
