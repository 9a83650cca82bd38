import {
  bytesToUint32,
  concatBytes,
  decodeUtf8,
  fromBase64,
  hasControl,
  isWellFormed,
  toBase64,
  uint32ToBytes,
  utf8,
} from './bytes.js'
import { isValidKeyName, type NoteSigner, type NoteVerifier } from './note-key.js'
import { fail, ok, type Result, TlogError } from './result.js'

/**
 * C2SP signed-note: a text ending in a newline, a blank line, then one or more lines
 * `— <key name> <base64(key ID (4 bytes, big-endian) || signature)>`.
 */

export type NoteErrorCode =
  | 'malformed'
  | 'too-many-signatures'
  | 'duplicate-signature'
  | 'bad-signature'
  | 'unverified'
  | 'ambiguous-key'

export class NoteError extends TlogError<NoteErrorCode> {
  override name = 'NoteError'
}

export interface NoteSignature {
  readonly name: string
  readonly keyId: number
  /** The signature bytes, without the 4-byte key ID. */
  readonly signature: Uint8Array
}

export interface Note {
  /** The signed text, including its final newline. */
  readonly text: string
  readonly signatures: readonly NoteSignature[]
}

export interface OpenedNote {
  readonly text: string
  /** Signatures by the given verifiers, all of which verified. */
  readonly verified: readonly NoteSignature[]
  /** Signatures by keys not given (ignored, as the spec requires). */
  readonly unverified: readonly NoteSignature[]
}

export interface NoteOptions {
  /** Most signature lines accepted; the spec asks for at least 16. Default 100, as Go's note package. */
  readonly maxSignatures?: number
}

export const MAX_NOTE_SIGNATURES = 100

const SIG_PREFIX = '\u2014 '

const malformed = (message: string) => fail(new NoteError('malformed', message))
const keyOf = (name: string, keyId: number): string => `${name}\u0000${keyId}`

/** Why a text cannot be the text of a note, or undefined if it can. */
export function noteTextProblem(text: string): string | undefined {
  if (!text.endsWith('\n')) return 'note text must end with a newline'
  if (!isWellFormed(text)) return 'note text must be valid unicode'
  if (hasControl(text, true)) return 'note text must not contain control characters other than newline'
  return undefined
}

/** Parses a note's structure, verifying nothing: the text must be ignored until opened. */
export function parseNote(input: string | Uint8Array, options: NoteOptions = {}): Result<Note, NoteError> {
  const maxSignatures = options.maxSignatures ?? MAX_NOTE_SIGNATURES
  const msg = typeof input === 'string' ? input : decodeUtf8(input)
  if (msg === undefined) return malformed('note is not valid utf-8')
  if (!isWellFormed(msg)) return malformed('note is not valid unicode')
  if (hasControl(msg, true)) return malformed('note contains a control character other than newline')
  const split = msg.lastIndexOf('\n\n')
  if (split < 0) return malformed('note has no blank line before its signatures')
  const text = msg.slice(0, split + 1)
  const block = msg.slice(split + 2)
  if (block.length === 0 || !block.endsWith('\n')) return malformed('note must end with signature lines and a newline')
  const lines = block.slice(0, -1).split('\n')
  if (lines.length > maxSignatures) {
    return fail(new NoteError('too-many-signatures', `too many signatures count=${lines.length} max=${maxSignatures}`))
  }
  const signatures: NoteSignature[] = []
  const seen = new Set<string>()
  for (const [i, line] of lines.entries()) {
    if (!line.startsWith(SIG_PREFIX)) {
      return malformed(`signature line must start with an em dash and a space line=${i}`)
    }
    const rest = line.slice(SIG_PREFIX.length)
    const space = rest.indexOf(' ')
    const name = space < 0 ? rest : rest.slice(0, space)
    const raw = space < 0 ? undefined : fromBase64(rest.slice(space + 1))
    if (!isValidKeyName(name)) return malformed(`invalid key name in signature line line=${i}`)
    if (!raw || raw.length < 5) {
      return malformed(`signature must be base64 of a key id and a signature line=${i} name=${name}`)
    }
    const keyId = bytesToUint32(raw)
    if (seen.has(keyOf(name, keyId))) {
      return fail(
        new NoteError(
          'duplicate-signature',
          `two signatures by one key name=${name} keyId=${keyId.toString(16).padStart(8, '0')}`,
        ),
      )
    }
    seen.add(keyOf(name, keyId))
    signatures.push({ name, keyId, signature: raw.slice(4) })
  }
  return ok({ text, signatures })
}

/** Formats a note; throws NoteError on a text or signature that could not be parsed back. */
export function formatNote(note: Note): string {
  const problem = noteTextProblem(note.text)
  if (problem) throw new NoteError('malformed', problem)
  const seen = new Set<string>()
  let out = `${note.text}\n`
  for (const sig of note.signatures) {
    if (!isValidKeyName(sig.name)) throw new NoteError('malformed', `invalid key name name=${JSON.stringify(sig.name)}`)
    if (!Number.isInteger(sig.keyId) || sig.keyId < 0 || sig.keyId > 0xffffffff) {
      throw new NoteError('malformed', `key id must be a uint32 name=${sig.name} keyId=${sig.keyId}`)
    }
    if (sig.signature.length === 0) throw new NoteError('malformed', `empty signature name=${sig.name}`)
    if (seen.has(keyOf(sig.name, sig.keyId))) {
      throw new NoteError('duplicate-signature', `two signatures by one key name=${sig.name}`)
    }
    seen.add(keyOf(sig.name, sig.keyId))
    out += `${SIG_PREFIX}${sig.name} ${toBase64(concatBytes(uint32ToBytes(sig.keyId), sig.signature))}\n`
  }
  return out
}

/**
 * Signs `text` with each signer. Signatures in `existing` (for example the log's, when a
 * witness cosigns) are kept first, except those by a key that signs again here.
 */
export async function signNote(
  text: string,
  signers: readonly NoteSigner[],
  existing: readonly NoteSignature[] = [],
): Promise<string> {
  const problem = noteTextProblem(text)
  if (problem) throw new NoteError('malformed', problem)
  if (signers.length === 0) throw new NoteError('malformed', 'a note needs at least one signer')
  const message = utf8(text)
  const fresh = await Promise.all(
    signers.map(async (s) => ({ name: s.name, keyId: s.keyId, signature: await s.sign(message) })),
  )
  const replaced = new Set(fresh.map((s) => keyOf(s.name, s.keyId)))
  const kept = existing.filter((s) => !replaced.has(keyOf(s.name, s.keyId)))
  return formatNote({ text, signatures: [...kept, ...fresh] })
}

/**
 * Parses a note and checks it against trusted verifiers. Signatures by unknown keys are
 * ignored; any signature by a known key that fails rejects the whole note; a note with no
 * signature by a known key is rejected ('unverified').
 */
export async function openNote(
  input: string | Uint8Array,
  verifiers: NoteVerifier | readonly NoteVerifier[],
  options: NoteOptions = {},
): Promise<Result<OpenedNote, NoteError>> {
  const parsed = parseNote(input, options)
  if (!parsed.ok) return parsed
  const { text, signatures } = parsed.value
  const known = new Map<string, NoteVerifier[]>()
  for (const v of Array.isArray(verifiers) ? (verifiers as readonly NoteVerifier[]) : [verifiers as NoteVerifier]) {
    const list = known.get(keyOf(v.name, v.keyId)) ?? []
    list.push(v)
    known.set(keyOf(v.name, v.keyId), list)
  }
  const message = utf8(text)
  const verified: NoteSignature[] = []
  const unverified: NoteSignature[] = []
  const checks: Promise<NoteError | undefined>[] = []
  for (const sig of signatures) {
    const list = known.get(keyOf(sig.name, sig.keyId))
    if (!list) {
      unverified.push(sig)
      continue
    }
    const id = `name=${sig.name} keyId=${sig.keyId.toString(16).padStart(8, '0')}`
    if (list.length > 1) return fail(new NoteError('ambiguous-key', `two verifiers share a key name and id ${id}`))
    verified.push(sig)
    const verifier = list[0] as NoteVerifier
    checks.push(
      verifier
        .verify(message, sig.signature)
        .then((good) => (good ? undefined : new NoteError('bad-signature', `invalid signature ${id}`))),
    )
  }
  const failure = (await Promise.all(checks)).find((e) => e !== undefined)
  if (failure) return fail(failure)
  if (verified.length === 0) {
    return fail(new NoteError('unverified', `no signature by a known key signatures=${signatures.length}`))
  }
  return ok({ text, verified, unverified })
}
