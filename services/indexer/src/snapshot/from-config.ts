import { readFile } from 'node:fs/promises'
import { ed25519Signer, openCheckpoint, parseCheckpoint, parseNote } from '@donottrain/verifier'
import type { Kysely } from 'kysely'
import type { IndexerConfig } from '../config.js'
import { openDb } from '../db/db.js'
import { LogStore } from '../tlog/log-store.js'
import type { LogSchema } from '../tlog/schema.js'
import { type SnapshotSummary, writeSnapshot } from './write-snapshot.js'

export type SnapshotWriteErrorCode = 'no-key' | 'no-origin' | 'key-mismatch'

export class SnapshotWriteError extends Error {
  override name = 'SnapshotWriteError'
  constructor(
    readonly code: SnapshotWriteErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/**
 * Writes a snapshot of an indexer's database (INDEXER_* config), from another process than the
 * running indexer: the signing key is read (never created), the log origin is the one of the
 * stored checkpoints (else INDEXER_PUBLIC_URL's host), and the key must be the one they were
 * signed with.
 */
export async function snapshotFromConfig(
  cfg: IndexerConfig,
  opts: { out: string; now?: () => Date },
): Promise<SnapshotSummary> {
  const seed = await readSeed(cfg)
  const db = openDb(cfg.db)
  try {
    const log = new LogStore(db.kysely as unknown as Kysely<LogSchema>)
    const latest = await log.latestCheckpoint()
    let origin: string
    if (latest) {
      const note = parseNote(latest.note)
      const cp = note.ok ? parseCheckpoint(note.value.text) : undefined
      if (!cp?.ok)
        throw new SnapshotWriteError('no-origin', `the newest stored checkpoint does not parse size=${latest.size}`)
      origin = cp.value.origin
    } else if (cfg.publicUrl) {
      origin = `${new URL(cfg.publicUrl).host}/donottrain/log`
    } else {
      throw new SnapshotWriteError('no-origin', 'the log has no checkpoint yet and INDEXER_PUBLIC_URL is not set')
    }
    const signer = await ed25519Signer(origin, seed)
    if (latest && !(await openCheckpoint(latest.note, signer.verifierKey, { origin })).ok) {
      throw new SnapshotWriteError(
        'key-mismatch',
        `the signing key is not the one the log's checkpoints are signed with`,
      )
    }
    return await writeSnapshot({ db: db.kysely, signer, origin, out: opts.out, ...(opts.now && { now: opts.now }) })
  } finally {
    await db.close()
  }
}

async function readSeed(cfg: Pick<IndexerConfig, 'signingKey' | 'keyFile'>): Promise<Uint8Array> {
  if (cfg.signingKey) return new Uint8Array(Buffer.from(cfg.signingKey, 'base64'))
  let text: string
  try {
    text = (await readFile(cfg.keyFile, 'utf8')).trim()
  } catch (cause) {
    throw new SnapshotWriteError('no-key', `cannot read the signing key file path=${cfg.keyFile}`, { cause })
  }
  const seed = Buffer.from(text, 'base64')
  if (seed.length !== 32)
    throw new SnapshotWriteError('no-key', `signing key file does not hold a 32-byte seed path=${cfg.keyFile}`)
  return new Uint8Array(seed)
}
