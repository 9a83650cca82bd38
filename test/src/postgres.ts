import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface LocalPostgres {
  /** postgres://… connection URL for a fresh database. */
  url: string
  port: number
  stop(): Promise<void>
}

/** The directory holding initdb and postgres (Debian's postgresql package), or an error that says what to install. */
export function findPostgresBin(): string {
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : []
  for (const v of versions) {
    const dir = join(root, v, 'bin')
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))) return dir
  }
  throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql: apt-get install postgresql')
}

/**
 * Starts a real, throwaway PostgreSQL server on a free loopback port, in a temp directory that
 * stop() removes. Runs as the 'postgres' system user when the tests run as root (PostgreSQL
 * refuses to run as root).
 */
export async function startPostgres(): Promise<LocalPostgres> {
  const bin = findPostgresBin()
  const dir = mkdtempSync(join(tmpdir(), 'donottrain-pg-'))
  const data = join(dir, 'data')
  const asRoot = process.getuid?.() === 0
  const run = (cmd: string, args: string[]) =>
    (asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]) as [string, string[]]
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
    chownSync(dir, uid, gid)
  }
  const [initCmd, initArgs] = run(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
  ])
  execFileSync(initCmd, initArgs, { stdio: 'pipe' })
  const port = await freePort()
  const [cmd, args] = run(join(bin, 'postgres'), [
    '-D',
    data,
    '-p',
    String(port),
    '-h',
    '127.0.0.1',
    '-k',
    dir,
    '-c',
    'fsync=off',
    '-c',
    'full_page_writes=off',
  ])
  const proc: ChildProcess = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  proc.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000)
  })
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`
  const stop = async () => {
    if (proc.exitCode === null) {
      const exited = new Promise((resolve) => proc.once('exit', resolve))
      // Signal the postmaster itself (runuser does not forward signals): SIGINT = fast shutdown.
      const pid = postmasterPid(data)
      if (pid) process.kill(pid, 'SIGINT')
      else proc.kill('SIGINT')
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    }
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await waitReady(
      port,
      () => proc.exitCode !== null,
      () => stderr,
    )
  } catch (err) {
    await stop()
    throw err
  }
  return { url, port, stop }
}

async function waitReady(port: number, exited: () => boolean, log: () => string): Promise<void> {
  const deadline = Date.now() + 20_000
  const { default: pg } = await import('pg')
  for (;;) {
    if (exited()) throw new Error(`postgres exited during start-up: ${log()}`)
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' })
    try {
      await client.connect()
      await client.query('select 1')
      await client.end()
      return
    } catch {
      await client.end().catch(() => {})
    }
    if (Date.now() > deadline) throw new Error(`postgres did not become ready: ${log()}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

function postmasterPid(data: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0])
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}
