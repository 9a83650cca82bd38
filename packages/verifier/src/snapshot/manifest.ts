import { err as fail, ok, type Result } from '@donottrain/lexicon'
import { decodeUtf8, fromBase64, fromHex, toBase64, toHex } from '../tlog/bytes.js'
import { HASH_SIZE } from '../tlog/merkle.js'
import { openNote, signNote } from '../tlog/note.js'
import type { NoteSigner, NoteVerifier } from '../tlog/note-key.js'
import { SnapshotError } from './errors.js'

/** The first line of a manifest: tells it apart from a checkpoint signed by the same key. */
export const SNAPSHOT_MANIFEST_HEADER = 'donottrain.snapshot/v1'
/**
 * The data format: the binary snapshot (declarations sorted by uri, grouped by account, with a
 * DID hash index; see format.ts). The earlier `ndjson+gzip` is no longer read.
 */
export const SNAPSHOT_FORMAT = 'donottrain-bin/1'
/** Largest manifest accepted (it embeds one checkpoint note). */
export const MAX_MANIFEST_BYTES = 16 * 1024

/**
 * What a snapshot manifest binds: the data file (its SHA-256, length and declaration count) to a
 * signed checkpoint of the log (origin, tree size, root, the checkpoint note itself).
 */
export interface SnapshotManifest {
  origin: string
  size: number
  rootHash: Uint8Array
  /** The signed C2SP tlog-checkpoint of `size` leaves. */
  checkpoint: string
  format: typeof SNAPSHOT_FORMAT
  /** SHA-256 of the data file's bytes. */
  dataSha256: Uint8Array
  dataBytes: number
  count: number
  createdAt: string
}

const FIELDS = ['origin', 'size', 'root', 'checkpoint', 'format', 'data-sha256', 'data-bytes', 'count', 'created']
const COUNT = /^(?:0|[1-9][0-9]{0,15})$/

/** The manifest's note text: a header line, then `<field> <value>` lines in a fixed order. */
export function formatManifest(m: SnapshotManifest): string {
  const values = [
    m.origin,
    String(m.size),
    toBase64(m.rootHash),
    toBase64(new TextEncoder().encode(m.checkpoint)),
    m.format,
    toHex(m.dataSha256),
    String(m.dataBytes),
    String(m.count),
    m.createdAt,
  ]
  return `${SNAPSHOT_MANIFEST_HEADER}\n${FIELDS.map((f, i) => `${f} ${values[i]}\n`).join('')}`
}

/** Parses a manifest's (verified) note text, strictly. */
export function parseManifest(text: string): Result<SnapshotManifest, SnapshotError> {
  const bad = (message: string) => fail(new SnapshotError('manifest-malformed', message))
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : []
  if (lines[0] !== SNAPSHOT_MANIFEST_HEADER) return bad('not a donottrain snapshot manifest')
  if (lines.length !== FIELDS.length + 1) return bad(`manifest needs ${FIELDS.length} fields lines=${lines.length}`)
  const v: string[] = []
  for (const [i, field] of FIELDS.entries()) {
    const line = lines[i + 1] as string
    if (!line.startsWith(`${field} `)) return bad(`manifest line ${i + 1} must be ${field}`)
    v.push(line.slice(field.length + 1))
  }
  const [origin, size, root, checkpoint, format, sha, bytes, count, createdAt] = v as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ]
  const rootHash = fromBase64(root)
  const note = fromBase64(checkpoint)
  const noteText = note && decodeUtf8(note)
  const dataSha256 = /^[0-9a-f]{64}$/.test(sha) ? fromHex(sha) : undefined
  if (origin.length === 0) return bad('manifest origin is empty')
  if (!COUNT.test(size) || !COUNT.test(bytes) || !COUNT.test(count)) return bad('manifest numbers must be decimal')
  if (!rootHash || rootHash.length !== HASH_SIZE) return bad('manifest root must be base64 of 32 bytes')
  if (noteText === undefined) return bad('manifest checkpoint must be base64 of a utf-8 note')
  if (format !== SNAPSHOT_FORMAT) return bad(`unknown snapshot format format=${format}`)
  if (dataSha256?.length !== 32) return bad('manifest data-sha256 must be 64 hex digits')
  if (Number.isNaN(Date.parse(createdAt))) return bad('manifest created must be a datetime')
  return ok({
    origin,
    size: Number(size),
    rootHash,
    checkpoint: noteText,
    format: SNAPSHOT_FORMAT,
    dataSha256,
    dataBytes: Number(bytes),
    count: Number(count),
    createdAt,
  })
}

/** The signed manifest: a C2SP signed note of formatManifest(m). */
export function signManifest(m: SnapshotManifest, signer: NoteSigner): Promise<string> {
  return signNote(formatManifest(m), [signer])
}

/** Opens a signed manifest with the log's key: the note must verify, then parse. */
export async function openManifest(
  input: string | Uint8Array,
  verifier: NoteVerifier,
): Promise<Result<SnapshotManifest, SnapshotError>> {
  const length = typeof input === 'string' ? input.length : input.byteLength
  if (length > MAX_MANIFEST_BYTES) {
    return fail(new SnapshotError('too-large', `manifest too large bytes=${length} max=${MAX_MANIFEST_BYTES}`))
  }
  const opened = await openNote(input, verifier, { maxSignatures: 16 })
  if (!opened.ok) {
    const code = opened.error.code === 'malformed' ? 'manifest-malformed' : 'manifest-signature'
    return fail(new SnapshotError(code, `manifest not accepted: ${opened.error.message}`, { cause: opened.error }))
  }
  return parseManifest(opened.value.text)
}
