import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'
import { createGunzip } from 'node:zlib'
import { err, ok, type Result } from '@donottrain/lexicon'
import { bytesEqual, toHex } from '../tlog/bytes.js'
import { openCheckpoint } from '../tlog/checkpoint.js'
import { type NoteVerifier, parseVerifierKey } from '../tlog/note-key.js'
import { MAX_SNAPSHOT_LINE, parseSnapshotLine, type SnapshotDeclaration } from './entry.js'
import { SnapshotError } from './errors.js'
import { MAX_MANIFEST_BYTES, openManifest, type SnapshotManifest } from './manifest.js'

/** A snapshot's two parts: the data file and its signed manifest, as paths or bytes. */
export type SnapshotSource =
  | string
  | { data: string; manifest: string }
  | { dataBytes: Uint8Array; manifestText: string | Uint8Array }

export interface SnapshotLimits {
  /** Largest data file (compressed). Default 4 GiB. */
  maxDataBytes?: number
  /** Most bytes the data may decompress to (gzip bomb guard). Default 16 GiB. */
  maxUncompressedBytes?: number
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
  /** Sorted by uri, as verified. */
  declarations: SnapshotDeclaration[]
}

export const SNAPSHOT_DEFAULTS = {
  maxDataBytes: 4 * 1024 ** 3,
  maxUncompressedBytes: 16 * 1024 ** 3,
  maxDeclarations: 20_000_000,
} as const

/** The manifest file written beside a data file. */
export const manifestPathOf = (dataPath: string): string => `${dataPath}.manifest`

const fault = (code: SnapshotError['code'], message: string, cause?: unknown) =>
  err(new SnapshotError(code, message, cause === undefined ? undefined : { cause }))

/**
 * Loads a snapshot, believing nothing until it is checked: the manifest must verify with the
 * log's key, its embedded checkpoint too (same origin, size and root as the manifest), the data
 * file must have the manifest's length and SHA-256 (hashed before a byte of it is parsed), and it
 * must hold `count` well-formed declarations strictly sorted by uri, within the limits.
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

  const hashed = await hashData(source, m.dataBytes)
  if (!hashed.ok) return hashed
  if (hashed.value.bytes !== m.dataBytes || !bytesEqual(hashed.value.sha256, m.dataSha256)) {
    return fault(
      'data-hash-mismatch',
      `data file is not the manifest's bytes=${hashed.value.bytes} expected=${m.dataBytes} sha256=${toHex(hashed.value.sha256)}`,
    )
  }
  const declarations = await parseData(dataStream(source), m.count, limits.maxUncompressedBytes)
  if (!declarations.ok) return declarations
  return ok({ manifest: m, declarations: declarations.value })
}

function definedLimits(l: SnapshotLimits): SnapshotLimits {
  const out: SnapshotLimits = {}
  for (const key of ['maxDataBytes', 'maxUncompressedBytes', 'maxDeclarations'] as const) {
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

function dataStream(source: SnapshotSource): Readable {
  if (typeof source === 'object' && 'dataBytes' in source) return Readable.from([source.dataBytes])
  return createReadStream(typeof source === 'string' ? source : source.data, { highWaterMark: 1024 * 1024 })
}

/** SHA-256 and length of the data, reading at most one byte past `expected`. */
async function hashData(
  source: SnapshotSource,
  expected: number,
): Promise<Result<{ sha256: Uint8Array; bytes: number }, SnapshotError>> {
  const hash = createHash('sha256')
  let bytes = 0
  try {
    for await (const chunk of dataStream(source) as AsyncIterable<Uint8Array>) {
      bytes += chunk.length
      if (bytes > expected) return ok({ sha256: new Uint8Array(32), bytes })
      hash.update(chunk)
    }
  } catch (cause) {
    return fault('unreadable', 'cannot read the snapshot data', cause)
  }
  return ok({ sha256: new Uint8Array(hash.digest()), bytes })
}

/** Gunzips and parses the (authenticated) data: bounded output, bounded lines, sorted, `count` lines. */
async function parseData(
  input: Readable,
  count: number,
  maxUncompressed: number,
): Promise<Result<SnapshotDeclaration[], SnapshotError>> {
  const gunzip = createGunzip({ chunkSize: 256 * 1024 })
  input.on('error', (e) => gunzip.destroy(e))
  input.pipe(gunzip)
  const decoder = new StringDecoder('utf8')
  const out: SnapshotDeclaration[] = []
  let rest = ''
  let total = 0
  let previous = ''
  const take = (line: string): SnapshotError | undefined => {
    if (out.length >= count) return new SnapshotError('count-mismatch', `data holds more than count=${count} lines`)
    const d = parseSnapshotLine(line, out.length + 1)
    if (!d.ok) return d.error
    if (!(d.value.uri > previous)) {
      return new SnapshotError('data-malformed', `declarations not strictly sorted by uri line=${out.length + 1}`)
    }
    previous = d.value.uri
    out.push(d.value)
    return undefined
  }
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      total += chunk.length
      if (total > maxUncompressed) {
        gunzip.destroy()
        return fault('too-large', `data decompresses beyond the limit max=${maxUncompressed}`)
      }
      const text = rest + decoder.write(chunk)
      let start = 0
      for (let nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
        const failure = take(text.slice(start, nl))
        if (failure) {
          gunzip.destroy()
          return err(failure)
        }
        start = nl + 1
      }
      rest = text.slice(start)
      if (rest.length > MAX_SNAPSHOT_LINE) {
        gunzip.destroy()
        return fault('too-large', `data line too long line=${out.length + 1} max=${MAX_SNAPSHOT_LINE}`)
      }
    }
  } catch (cause) {
    return fault('data-malformed', 'data is not valid gzip', cause)
  }
  rest += decoder.end()
  if (rest.length > 0) return fault('data-malformed', 'data does not end with a newline')
  if (out.length !== count) return fault('count-mismatch', `data holds ${out.length} declarations count=${count}`)
  return ok(out)
}
