import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { repoRoot } from './interop.js'

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

export interface CliRunOptions {
  /** The whole environment of the child (nothing else is inherited but PATH). */
  env?: Record<string, string | undefined>
  /** Written to the child's stdin, which is then closed (default: empty). */
  input?: string
  /** Killed with SIGKILL after this long (default 60 s). */
  timeoutMs?: number
  /** The script to run (default: the built `donottrain` CLI). */
  bin?: string
}

/** Runs a Node script (by default the `donottrain` CLI, built) as a subprocess and collects its output. */
export function runCli(args: readonly string[], opts: CliRunOptions = {}): Promise<CliRun> {
  const bin = opts.bin ?? join(repoRoot, 'packages/cli/dist/bin.js')
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8')
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8')
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    child.stdin.end(opts.input ?? '')
  })
}
