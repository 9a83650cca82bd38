import { fromBase64, toBase64 } from './bytes.js'
import { HASH_SIZE } from './merkle.js'
import { type NoteError, type NoteOptions, type NoteSignature, noteTextProblem, openNote, signNote } from './note.js'
import { type NoteKeyError, type NoteSigner, type NoteVerifier, parseVerifierKey } from './note-key.js'
import { fail, ok, type Result, TlogError } from './result.js'

/**
 * C2SP tlog-checkpoint: a signed note whose text is
 *   <origin>\n<tree size>\n<base64 root hash>\n[<extension line>\n]...
 */
export interface Checkpoint {
  /** Unique identity of the log, e.g. `donottrain.example/log`. */
  readonly origin: string
  readonly size: number
  /** RFC 9162 root hash, 32 bytes. */
  readonly rootHash: Uint8Array
  /** Opaque, non-empty extension lines (use is NOT RECOMMENDED by the spec). */
  readonly extensions: readonly string[]
}

export type CheckpointErrorCode = 'malformed' | 'origin-mismatch'

export class CheckpointError extends TlogError<CheckpointErrorCode> {
  override name = 'CheckpointError'
}

export interface OpenedCheckpoint {
  readonly checkpoint: Checkpoint
  /** The verified note text (the checkpoint body), byte for byte. */
  readonly text: string
  readonly verified: readonly NoteSignature[]
  readonly unverified: readonly NoteSignature[]
}

export interface OpenCheckpointOptions extends NoteOptions {
  /** The origin this log must have; a checkpoint for another origin is rejected. */
  readonly origin?: string
}

const SIZE = /^(?:0|[1-9][0-9]*)$/

const malformed = (message: string) => fail(new CheckpointError('malformed', message))

/** Parses a checkpoint body (the note text), strictly. */
export function parseCheckpoint(text: string): Result<Checkpoint, CheckpointError> {
  const problem = noteTextProblem(text)
  if (problem) return malformed(`checkpoint ${problem.replace('note text', 'text')}`)
  const lines = text.slice(0, -1).split('\n')
  if (lines.length < 3) return malformed(`checkpoint needs origin, size and root lines lines=${lines.length}`)
  if (lines.some((line) => line.length === 0)) return malformed('checkpoint lines must not be empty')
  const [origin, sizeLine, rootLine, ...extensions] = lines as [string, string, string, ...string[]]
  if (!SIZE.test(sizeLine)) {
    return malformed(`checkpoint size must be a decimal without leading zeros size=${JSON.stringify(sizeLine)}`)
  }
  const size = Number(sizeLine)
  if (!Number.isSafeInteger(size)) return malformed(`checkpoint size too large size=${sizeLine}`)
  const rootHash = fromBase64(rootLine)
  if (!rootHash || rootHash.length !== HASH_SIZE) {
    return malformed(`checkpoint root must be base64 of ${HASH_SIZE} bytes origin=${origin}`)
  }
  return ok({ origin, size, rootHash, extensions })
}

/** Formats a checkpoint body; throws CheckpointError on a value that would not parse back. */
export function formatCheckpoint(cp: Checkpoint): string {
  const lineProblem = (line: string) =>
    line.length === 0 || line.includes('\n') || noteTextProblem(`${line}\n`) !== undefined
  if (lineProblem(cp.origin)) {
    throw new CheckpointError('malformed', `invalid checkpoint origin origin=${JSON.stringify(cp.origin)}`)
  }
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) {
    throw new CheckpointError('malformed', `invalid checkpoint size size=${cp.size}`)
  }
  if (cp.rootHash.length !== HASH_SIZE) {
    throw new CheckpointError('malformed', `checkpoint root must be ${HASH_SIZE} bytes length=${cp.rootHash.length}`)
  }
  for (const ext of cp.extensions) {
    if (lineProblem(ext)) {
      throw new CheckpointError('malformed', `invalid checkpoint extension line=${JSON.stringify(ext)}`)
    }
  }
  return [cp.origin, String(cp.size), toBase64(cp.rootHash), ...cp.extensions].map((line) => `${line}\n`).join('')
}

/** Signs a checkpoint; returns the signed note text. */
export function signCheckpoint(cp: Checkpoint, signer: NoteSigner | readonly NoteSigner[]): Promise<string> {
  const signers = Array.isArray(signer) ? (signer as readonly NoteSigner[]) : [signer as NoteSigner]
  return signNote(formatCheckpoint(cp), signers)
}

/**
 * Opens a signed checkpoint: the note must carry a valid signature by the given verifier key
 * (a `<name>+<id>+<key>` string or NoteVerifier objects), then its text must be a checkpoint,
 * of `options.origin` when given.
 */
export async function openCheckpoint(
  noteText: string | Uint8Array,
  verifierKey: string | NoteVerifier | readonly NoteVerifier[],
  options: OpenCheckpointOptions = {},
): Promise<Result<OpenedCheckpoint, CheckpointError | NoteError | NoteKeyError>> {
  let verifiers: NoteVerifier | readonly NoteVerifier[]
  if (typeof verifierKey === 'string') {
    const parsed = parseVerifierKey(verifierKey)
    if (!parsed.ok) return parsed
    verifiers = parsed.value
  } else {
    verifiers = verifierKey
  }
  const opened = await openNote(noteText, verifiers, options)
  if (!opened.ok) return opened
  const cp = parseCheckpoint(opened.value.text)
  if (!cp.ok) return cp
  if (options.origin !== undefined && cp.value.origin !== options.origin) {
    return fail(
      new CheckpointError(
        'origin-mismatch',
        `checkpoint is for another log origin=${cp.value.origin} expected=${options.origin}`,
      ),
    )
  }
  return ok({
    checkpoint: cp.value,
    text: opened.value.text,
    verified: opened.value.verified,
    unverified: opened.value.unverified,
  })
}
