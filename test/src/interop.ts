import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root (this file lives at test/src or test/dist). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** The public atproto interop vectors, read from ../shared/interop beside the checkout. */
export const interopDir = resolve(repoRoot, '../shared/interop')

export function interopPath(...parts: string[]): string {
  return resolve(interopDir, ...parts)
}

export function readInteropJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFileSync(interopPath(...parts), 'utf8')) as T
}

/** The lines of a syntax vector file, without comments and blank lines (whitespace kept). */
export function readInteropLines(...parts: string[]): string[] {
  return readFileSync(interopPath(...parts), 'utf8')
    .split('\n')
    .filter((line) => line.length > 0 && !line.startsWith('#'))
}
