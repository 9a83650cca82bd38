import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

// The worker's code, evaluated as CommonJS: a read-only connection to the same SQLite file with
// the same statements prepared, answering one `get` per message. The driver is loaded from the
// path the main thread resolved, so this runs the same from sources (tests) and from dist.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const conn = new Database(workerData.file, { readonly: true, fileMustExist: true })
conn.pragma('busy_timeout = 5000')
conn.pragma('mmap_size = ' + workerData.mmapBytes)
const statements = new Map(workerData.texts.map((text) => [text, conn.prepare(text)]))
parentPort.on('message', ({ id, text, params }) => {
  try {
    const stmt = statements.get(text)
    if (!stmt) throw new Error('unprepared status read')
    parentPort.postMessage({ id, row: stmt.get(...params) ?? {} })
  } catch (err) {
    parentPort.postMessage({ id, error: String((err && err.message) || err) })
  }
})
`

type Pending = { resolve: (row: Record<string, unknown>) => void; reject: (err: Error) => void }

/**
 * A second read-only connection to the store, in a worker thread, so a large batch of status
 * reads can run half here and half there at once (the reads are most of a 1,000-subject
 * checkSubjects, and the machine has another core). Answers are plain rows, as `Statement#get`
 * returns them. When the worker fails it is marked dead and callers read on their own thread.
 */
export class ReadWorker {
  private readonly worker: Worker
  private readonly pending = new Map<number, Pending>()
  private nextId = 0
  private dead = false

  private constructor(file: string, texts: readonly string[], mmapBytes: number) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3')
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, texts, mmapBytes } })
    // An idle worker must not keep the process alive; a pending read keeps a ref (see get).
    this.worker.unref()
    this.worker.on('message', (msg: { id: number; row?: Record<string, unknown>; error?: string }) => {
      const p = this.pending.get(msg.id)
      if (!p) return
      this.pending.delete(msg.id)
      if (this.pending.size === 0) this.worker.unref()
      if (msg.error !== undefined) p.reject(new Error(msg.error))
      else p.resolve(msg.row ?? {})
    })
    const fail = (err: Error) => {
      this.dead = true
      for (const p of this.pending.values()) p.reject(err)
      this.pending.clear()
    }
    this.worker.on('error', fail)
    this.worker.on('exit', (code) => fail(new Error(`status read worker exited code=${code}`)))
  }

  /** A worker reading `file` with `texts` prepared; undefined when one cannot be started. */
  static start(file: string, texts: readonly string[], mmapBytes: number): ReadWorker | undefined {
    try {
      return new ReadWorker(file, texts, mmapBytes)
    } catch {
      return undefined
    }
  }

  get alive(): boolean {
    return !this.dead
  }

  get(text: string, params: readonly unknown[]): Promise<Record<string, unknown>> {
    if (this.dead) return Promise.reject(new Error('status read worker is not running'))
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.worker.ref()
      this.worker.postMessage({ id, text, params })
    })
  }

  close(): void {
    this.dead = true
    void this.worker.terminate()
  }
}
