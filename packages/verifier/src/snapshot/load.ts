import { open, readFile, stat } from 'node:fs/promises'
import { err, ok, type Result } from '@donottrain/lexicon'
import { bytesEqual, toHex } from '../tlog/bytes.js'
import { openCheckpoint } from '../tlog/checkpoint.js'
import { type NoteVerifier, parseVerifierKey } from '../tlog/note-key.js'
import { SnapshotError } from './errors.js'
import { MAX_MANIFEST_BYTES, openManifest, type SnapshotManifest } from './manifest.js'
import { SnapshotData } from './snapshot-data.js'

/** A snapshot's two parts: the data file and its signed manifest, as paths or bytes. */
export type SnapshotSource =
  | string
  | { data: string; manifest: string }
  | { dataBytes: Uint8Array; manifestText: string | Uint8Array }

export interface SnapshotLimits {
  /** Largest data file. Default 4 GiB (the format's limit). */
  maxDataBytes?: number
  /** Most declarations loaded. Default 20,000,000. */
  maxDeclarations?: number
}

export interface LoadSnapshotOptions extends SnapshotLimits {
  /** The log's note verifier key (`<name>+<hex id>+<base64 key>`): signs the manifest and the checkpoint. */
  verifierKey: string | NoteVerifier
  /** The log origin the snapshot must be of (default: the verifier key's name). */
  origin?: string
}

export interface LoadedSnapshot {
  manifest: SnapshotManifest
  /** The verified data file, read in place (declarations are decoded when asked for). */
  data: SnapshotData
}

export const SNAPSHOT_DEFAULTS = {
  maxDataBytes: 4 * 1024 ** 3 - 1,
  maxDeclarations: 20_000_000,
} as const

/** The manifest file written beside a data file. */
export const manifestPathOf = (dataPath: string): string => `${dataPath}.manifest`

const fault = (code: SnapshotError['code'], message: string, cause?: unknown) =>
  err(new SnapshotError(code, message, cause === undefined ? undefined : { cause }))

/**
 * Loads a snapshot, believing nothing until it is checked: the manifest must verify with the
 * log's key, its embedded checkpoint too (same origin, size and root as the manifest), the data
 * file must have the manifest's length and SHA-256 (hashed before a byte of it is read as a
 * snapshot), and its structure must hold (SnapshotData.open: `count` declarations, every
 * offset, id and length in bounds, accounts strictly sorted), within the limits.
 */
export async function loadSnapshot(
  source: SnapshotSource,
  options: LoadSnapshotOptions,
): Promise<Result<LoadedSnapshot, SnapshotError>> {
  const limits = { ...SNAPSHOT_DEFAULTS, ...definedLimits(options) }
  let verifier: NoteVerifier
  if (typeof options.verifierKey === 'string') {
    const parsed = parseVerifierKey(options.verifierKey)
    if (!parsed.ok) return fault('manifest-signature', `bad verifier key: ${parsed.error.message}`, parsed.error)
    verifier = parsed.value
  } else {
    verifier = options.verifierKey
  }
  const origin = options.origin ?? verifier.name

  const manifestText = await readManifest(source)
  if (!manifestText.ok) return manifestText
  const manifest = await openManifest(manifestText.value, verifier)
  if (!manifest.ok) return manifest
  const m = manifest.value
  if (m.origin !== origin)
    return fault('origin-mismatch', `snapshot of another log origin=${m.origin} expected=${origin}`)
  const cp = await openCheckpoint(m.checkpoint, verifier, { origin })
  if (!cp.ok) return fault('checkpoint-invalid', `snapshot checkpoint not accepted: ${cp.error.message}`, cp.error)
  const { size, rootHash } = cp.value.checkpoint
  if (size !== m.size || !bytesEqual(rootHash, m.rootHash)) {
    return fault('checkpoint-mismatch', `checkpoint is not the manifest's size=${size} manifestSize=${m.size}`)
  }
  if (m.dataBytes > limits.maxDataBytes) {
    return fault('too-large', `snapshot data too large bytes=${m.dataBytes} max=${limits.maxDataBytes}`)
  }
  if (m.count > limits.maxDeclarations) {
    return fault('too-large', `snapshot holds too many declarations count=${m.count} max=${limits.maxDeclarations}`)
  }

  const bytes = await readData(source, m.dataBytes)
  if (!bytes.ok) return bytes
  if (bytes.value.length !== m.dataBytes) {
    return fault(
      'data-hash-mismatch',
      `data file is not the manifest's bytes=${bytes.value.length} expected=${m.dataBytes}`,
    )
  }
  // The SHA-256 runs on the thread pool while the structure is checked here: checking untrusted
  // bytes is safe, and nothing is used before both have passed (a hash mismatch is reported first).
  const digest = globalThis.crypto.subtle.digest('SHA-256', bytes.value as Uint8Array<ArrayBuffer>)
  const data = SnapshotData.open(bytes.value, m.count)
  const sha256 = new Uint8Array(await digest)
  if (!bytesEqual(sha256, m.dataSha256)) {
    return fault('data-hash-mismatch', `data file is not the manifest's sha256=${toHex(sha256)}`)
  }
  return data.ok ? ok({ manifest: m, data: data.value }) : data
}

function definedLimits(l: SnapshotLimits): SnapshotLimits {
  const out: SnapshotLimits = {}
  for (const key of ['maxDataBytes', 'maxDeclarations'] as const) {
    const v = l[key]
    if (v === undefined) continue
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${key} must be a non-negative integer ${key}=${v}`)
    out[key] = v
  }
  return out
}

async function readManifest(source: SnapshotSource): Promise<Result<string | Uint8Array, SnapshotError>> {
  if (typeof source === 'object' && 'manifestText' in source) return ok(source.manifestText)
  const path = typeof source === 'string' ? manifestPathOf(source) : source.manifest
  try {
    const info = await stat(path)
    if (info.size > MAX_MANIFEST_BYTES) {
      return fault('too-large', `manifest too large bytes=${info.size} max=${MAX_MANIFEST_BYTES}`)
    }
    return ok(await readFile(path))
  } catch (cause) {
    return fault('unreadable', `cannot read the manifest path=${path}`, cause)
  }
}

/**
 * The data file's bytes, reading at most one byte past `expected` (a longer file is a mismatch),
 * in chunks (fs.readFile stops at 2 GiB).
 */
async function readData(source: SnapshotSource, expected: number): Promise<Result<Uint8Array, SnapshotError>> {
  if (typeof source === 'object' && 'dataBytes' in source) return ok(source.dataBytes)
  const path = typeof source === 'string' ? source : source.data
  try {
    const file = await open(path, 'r')
    try {
      const size = Math.min((await file.stat()).size, expected + 1)
      const out = new Uint8Array(size)
      let at = 0
      while (at < size) {
        const { bytesRead } = await file.read(out, at, Math.min(READ_CHUNK, size - at), at)
        if (bytesRead === 0) break
        at += bytesRead
      }
      return ok(at === size ? out : out.subarray(0, at))
    } finally {
      await file.close()
    }
  } catch (cause) {
    return fault('unreadable', `cannot read the snapshot data path=${path}`, cause)
  }
}

const READ_CHUNK = 64 * 1024 * 1024
