export type SnapshotErrorCode =
  | 'manifest-malformed' // the manifest is not a snapshot manifest note
  | 'manifest-signature' // the manifest's note signature does not verify with the key (or is absent)
  | 'origin-mismatch' // the snapshot is of another log than the one asked for
  | 'checkpoint-invalid' // the embedded checkpoint does not open with the key, or is malformed
  | 'checkpoint-mismatch' // the checkpoint's origin, size or root is not the manifest's
  | 'data-hash-mismatch' // the data file's SHA-256 or length is not the manifest's
  | 'data-malformed' // a line is not a declaration, or lines are not strictly sorted by uri
  | 'count-mismatch' // the data holds another number of declarations than the manifest says
  | 'too-large' // a limit (file bytes, uncompressed bytes, declarations, line length) was reached
  | 'unreadable' // the file could not be read

/** Why a snapshot was not accepted; `code` is stable, the message is for people. */
export class SnapshotError extends Error {
  override name = 'SnapshotError'
  constructor(
    readonly code: SnapshotErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
