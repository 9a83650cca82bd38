import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { StoredSession } from '@donottrain/client'
import { CliError } from './io.js'

const FILE = 'session.json'
const VERSION = 1

interface SessionFile {
  version: number
  savedAt: string
  session: StoredSession
}

export function sessionPath(configDir: string): string {
  return join(configDir, FILE)
}

/** The saved session, or undefined when signed out. */
export function readSession(configDir: string): StoredSession | undefined {
  let text: string
  try {
    text = readFileSync(sessionPath(configDir), 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  let file: Partial<SessionFile>
  try {
    file = JSON.parse(text) as Partial<SessionFile>
  } catch {
    file = {}
  }
  const s = file.session
  if (
    file.version !== VERSION ||
    !s ||
    typeof s.service !== 'string' ||
    typeof s.did !== 'string' ||
    typeof s.accessJwt !== 'string' ||
    typeof s.refreshJwt !== 'string'
  ) {
    throw new CliError(`the saved session is damaged, run \`donottrain login\` again (file=${sessionPath(configDir)})`)
  }
  return s
}

/** Saves the session readable by the user only (file 0600 in a 0700 directory), atomically. */
export function writeSession(configDir: string, session: StoredSession): void {
  mkdirSync(configDir, { recursive: true, mode: 0o700 })
  const path = sessionPath(configDir)
  const tmp = `${path}.${process.pid}.tmp`
  const file: SessionFile = { version: VERSION, savedAt: new Date().toISOString(), session }
  writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 })
  chmodSync(tmp, 0o600) // in case the file existed with other bits
  renameSync(tmp, path)
}

export function removeSession(configDir: string): boolean {
  const path = sessionPath(configDir)
  try {
    rmSync(path)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw err
  }
}
