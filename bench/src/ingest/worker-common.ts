import type { ParentMessage, WorkerMessage } from './protocol.js'

export const send = (msg: WorkerMessage): void => {
  process.send?.(msg)
}

/** Times the span from the end of the first handled frame to the end of the last one. */
export class Clock {
  frames = 0
  firstSeq = -1
  /** Jumps in the handled seqs ([last, next]), the first 20: a frame not seen by the handler. */
  readonly gaps: Array<[number, number]> = []
  seq = -1
  private t0 = 0
  private cpu0: NodeJS.CpuUsage = { user: 0, system: 0 }
  private done?: () => void
  readonly finished: Promise<void>

  constructor(private lastSeq: number) {
    this.finished = new Promise((resolve) => {
      this.done = resolve
    })
  }

  /** Called when a frame with `seq` has been fully handled; frames after lastSeq are not counted. */
  handled(seq: number): void {
    if (seq <= this.seq || this.seq >= this.lastSeq) return
    if (this.seq >= 0 && seq !== this.seq + 1 && this.gaps.length < 20) this.gaps.push([this.seq, seq])
    this.seq = seq
    if (this.firstSeq < 0) {
      this.firstSeq = seq
      this.t0 = performance.now()
      this.cpu0 = process.cpuUsage()
    } else {
      this.frames++
    }
    if (seq >= this.lastSeq) this.done?.()
  }

  span(): { frames: number; ms: number; cpuMs: number } {
    const cpu = process.cpuUsage(this.cpu0)
    return { frames: this.frames, ms: performance.now() - this.t0, cpuMs: (cpu.user + cpu.system) / 1000 }
  }
}

export function progress(clock: Clock, ms: number | undefined): NodeJS.Timeout | undefined {
  if (!ms) return undefined
  const timer = setInterval(() => send({ type: 'progress', seq: clock.seq, frames: clock.frames }), ms)
  timer.unref()
  return timer
}

export const stopRequested = new Promise<void>((resolve) => {
  process.on('message', (msg: ParentMessage) => {
    if (msg.type === 'stop') resolve()
  })
})

/** Runs a worker's main function, reporting a failure to the parent; disconnects when done. */
export function runMain(main: () => Promise<void>): void {
  main()
    .catch((err: unknown) => {
      send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) })
      process.exitCode = 1
    })
    .finally(() => process.disconnect?.())
}

/** The task the parent passed as JSON in argv[2]. */
export function readTask<T>(): T {
  return JSON.parse(process.argv[2] ?? '{}') as T
}
