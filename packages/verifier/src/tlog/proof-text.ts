import { decodeUtf8, fromBase64, toBase64 } from './bytes.js'
import {
  type CheckpointError,
  type OpenCheckpointOptions,
  type OpenedCheckpoint,
  openCheckpoint,
} from './checkpoint.js'
import { HASH_SIZE } from './merkle.js'
import { type NoteError, parseNote } from './note.js'
import type { NoteKeyError, NoteVerifier } from './note-key.js'
import { type ProofError, verifyInclusion } from './proof-verify.js'
import { fail, ok, type Result, TlogError } from './result.js'

/**
 * C2SP tlog-proof@v1, a portable offline-verifiable proof that an entry is in a log:
 *
 *   c2sp.org/tlog-proof@v1
 *   [extra <base64 opaque data>]
 *   index <decimal leaf index>
 *   <base64 inclusion proof hash, from the leaf's sibling up>...
 *   <empty line>
 *   <signed checkpoint, verbatim>
 *
 * The entry itself is not in the proof: the verifier recomputes its leaf hash from the data.
 */
export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1'

/** Proof hashes accepted at most (a tree of 2^63 leaves needs 63). */
const MAX_PROOF_HASHES = 63

export interface TlogProof {
  readonly index: number
  readonly proof: readonly Uint8Array[]
  /** The signed checkpoint note, verbatim. */
  readonly checkpoint: string
  /** Opaque application data; NOT authenticated by anything in the proof. */
  readonly extra?: Uint8Array
}

export class TlogProofError extends TlogError<'malformed'> {
  override name = 'TlogProofError'
}

export interface VerifiedTlogProof extends OpenedCheckpoint {
  readonly index: number
  readonly extra?: Uint8Array
}

export type TlogProofFailure = TlogProofError | CheckpointError | NoteError | NoteKeyError | ProofError

const INDEX = /^index (0|[1-9][0-9]*)$/
const malformed = (message: string) => fail(new TlogProofError('malformed', message))

/** Formats a proof; throws TlogProofError on values that would not parse back. */
export function formatTlogProof(p: TlogProof): string {
  if (!Number.isSafeInteger(p.index) || p.index < 0) {
    throw new TlogProofError('malformed', `invalid index index=${p.index}`)
  }
  if (p.proof.length > MAX_PROOF_HASHES || p.proof.some((h) => h.length !== HASH_SIZE)) {
    throw new TlogProofError('malformed', `proof must be at most ${MAX_PROOF_HASHES} hashes of ${HASH_SIZE} bytes`)
  }
  if (!parseNote(p.checkpoint).ok) throw new TlogProofError('malformed', 'checkpoint is not a signed note')
  const lines = [TLOG_PROOF_HEADER]
  if (p.extra !== undefined && p.extra.length > 0) lines.push(`extra ${toBase64(p.extra)}`)
  lines.push(`index ${p.index}`, ...p.proof.map(toBase64), '')
  return `${lines.join('\n')}\n${p.checkpoint}`
}

/** Parses a proof's structure; nothing is verified yet. */
export function parseTlogProof(input: string | Uint8Array): Result<TlogProof, TlogProofError> {
  const text = typeof input === 'string' ? input : decodeUtf8(input)
  if (text === undefined) return malformed('proof is not valid utf-8')
  const split = text.indexOf('\n\n')
  if (split < 0) return malformed('proof has no empty line before its checkpoint')
  const lines = text.slice(0, split).split('\n')
  const checkpoint = text.slice(split + 2)
  if (lines.shift() !== TLOG_PROOF_HEADER) return malformed(`proof must start with ${TLOG_PROOF_HEADER}`)
  let extra: Uint8Array | undefined
  if (lines[0]?.startsWith('extra ')) {
    extra = fromBase64((lines.shift() as string).slice('extra '.length))
    if (!extra || extra.length === 0) return malformed('proof extra must be non-empty base64')
  }
  const indexMatch = INDEX.exec(lines.shift() ?? '')
  if (!indexMatch) return malformed('proof needs an index line with a decimal without leading zeros')
  const index = Number(indexMatch[1])
  if (!Number.isSafeInteger(index)) return malformed(`proof index too large index=${indexMatch[1]}`)
  if (lines.length > MAX_PROOF_HASHES) return malformed(`too many proof hashes count=${lines.length}`)
  const proof: Uint8Array[] = []
  for (const [i, line] of lines.entries()) {
    const hash = fromBase64(line)
    if (!hash || hash.length !== HASH_SIZE) {
      return malformed(`proof line must be base64 of ${HASH_SIZE} bytes position=${i}`)
    }
    proof.push(hash)
  }
  if (!parseNote(checkpoint).ok) return malformed('proof checkpoint is not a signed note')
  return ok(extra === undefined ? { index, proof, checkpoint } : { index, proof, checkpoint, extra })
}

/**
 * Verifies a proof offline: the checkpoint must be signed by the log's key (and be of
 * `options.origin` when given), and the inclusion proof must lead from `leafHash` at the
 * proof's index to the checkpoint's root.
 */
export async function verifyTlogProof(
  proof: string | Uint8Array | TlogProof,
  leafHash: Uint8Array,
  verifierKey: string | NoteVerifier | readonly NoteVerifier[],
  options: OpenCheckpointOptions = {},
): Promise<Result<VerifiedTlogProof, TlogProofFailure>> {
  let parsed: TlogProof
  if (typeof proof === 'string' || proof instanceof Uint8Array) {
    const result = parseTlogProof(proof)
    if (!result.ok) return result
    parsed = result.value
  } else {
    parsed = proof
  }
  const opened = await openCheckpoint(parsed.checkpoint, verifierKey, options)
  if (!opened.ok) return opened
  const { size, rootHash } = opened.value.checkpoint
  const included = verifyInclusion(leafHash, parsed.index, size, parsed.proof, rootHash)
  if (!included.ok) return included
  const value: VerifiedTlogProof = { ...opened.value, index: parsed.index }
  return ok(parsed.extra === undefined ? value : { ...value, extra: parsed.extra })
}
