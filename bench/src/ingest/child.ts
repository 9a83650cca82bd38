import { type ChildProcess, fork } from 'node:child_process'
import { readFileSync } from 'node:fs'
import type { ParentMessage, WorkerMessage, WorkerTask } from './protocol.js'

export type DoneMessage = Extract<WorkerMessage, { type: 'done' }>

/** Resident set size of a process in bytes, from /proc (Linux); undefined when unreadable. */
export function readRss(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) * 1024 : undefined
  } catch {
    return undefined
  }
}

export interface RssSample {
  /** ms since the worker started */
  t: number
  /** last seq the worker reported handled */
  seq: number
  rss: number
}

export interface WorkerRun {
  done: DoneMessage
  /** RSS sampled by the parent while the worker ran. */
  samples: RssSample[]
  peakRss: number
}

/**
 * Runs one benchmark worker in its own Node process (one core, its own heap and RSS), sampling
 * its RSS every `sampleMs`, until it reports done; then asks it to stop and waits for it to exit.
 */
export async function runWorker(
  task: WorkerTask,
  opts: { sampleMs: number; timeoutMs: number; onReady: () => void; onProgress?: (seq: number) => void },
): Promise<WorkerRun> {
  const script = new URL(`./worker-${task.kind}.js`, import.meta.url)
  // BENCH_PROFILE=<dir>: write a V8 CPU profile of each worker there (open in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE
  const execArgv = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []
  const child = fork(script, [JSON.stringify(task)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv })
  const pid = child.pid
  if (pid === undefined) throw new Error('worker did not start')
  const started = performance.now()
  const samples: RssSample[] = []
  let seq = -1
  let finished = false
  const sample = () => {
    const rss = readRss(pid)
    if (rss !== undefined) samples.push({ t: performance.now() - started, seq, rss })
  }
  const timer = setInterval(sample, opts.sampleMs)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  try {
    const done = await new Promise<DoneMessage>((resolve, reject) => {
      const timeout = setTimeout(() => reject(new Error(`worker timed out kind=${task.kind}`)), opts.timeoutMs)
      child.on('message', (msg: WorkerMessage) => {
        if (finished) return
        if (msg.type === 'ready') {
          opts.onReady()
        } else if (msg.type === 'progress') {
          seq = msg.seq
          opts.onProgress?.(msg.seq)
        } else if (msg.type === 'done') {
          clearTimeout(timeout)
          seq = msg.lastSeq
          sample()
          finished = true
          clearInterval(timer)
          resolve(msg)
        } else {
          clearTimeout(timeout)
          reject(new Error(`worker failed kind=${task.kind}: ${msg.message}`))
        }
      })
      child.once('exit', (code) => {
        clearTimeout(timeout)
        reject(new Error(`worker exited early kind=${task.kind} code=${code}`))
      })
    })
    return { done, samples, peakRss: Math.max(0, ...samples.map((s) => s.rss)) }
  } finally {
    clearInterval(timer)
    await stopChild(child, exited)
  }
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  if (child.connected) child.send({ type: 'stop' } satisfies ParentMessage)
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000).unref())
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    child.kill('SIGKILL')
    await exited
  }
}
