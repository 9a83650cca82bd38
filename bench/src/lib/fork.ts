import { fork } from 'node:child_process'

/**
 * Runs `script` in its own Node process with `task` as JSON in argv[2] and resolves with the
 * first message it sends (`{ error }` rejects). The child is expected to exit after sending.
 */
export function forkOnce<T>(script: URL, task: unknown, timeoutMs: number): Promise<T> {
  // BENCH_PROFILE=<dir>: write a V8 CPU profile of each worker there (open in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE
  const execArgv = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []
  const child = fork(script, [JSON.stringify(task)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv })
  return new Promise<T>((resolve, reject) => {
    let settled = false
    const settle = (fn: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      fn()
    }
    const timer = setTimeout(() => {
      settle(() => reject(new Error(`worker timed out script=${script.pathname}`)))
      child.kill('SIGKILL')
    }, timeoutMs)
    child.once('message', (msg: unknown) => {
      const error = (msg as { error?: string }).error
      settle(() => (error === undefined ? resolve(msg as T) : reject(new Error(`worker failed: ${error}`))))
    })
    child.once('exit', (code) => settle(() => reject(new Error(`worker exited without a result code=${code}`))))
  })
}
