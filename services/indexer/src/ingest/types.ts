import type { RepoTable } from '../db/schema.js'
import type { FirehoseEvent } from '../firehose/events.js'

type CommitEvent = Extract<FirehoseEvent, { type: 'commit' }>

/** A commit that passed every check of the sync spec, with its blocks (all hash-verified). */
export interface VerifiedCommit {
  did: string
  rev: string
  commitCid: string
  dataCid: string
  blocks: Map<string, Uint8Array>
}

/**
 * Why a commit was not accepted. `desync`: the chain broke and the repo needs a resync.
 * `retry`: nothing is wrong with the commit as far as we know, but it could not be checked now
 * (e.g. the DID directory is down) — it is not a rejection; a resync will cover it later.
 */
export interface CommitRejection {
  reason: string
  message: string
  desync?: boolean
  retry?: boolean
}

export type CommitCheck = { ok: true; value: VerifiedCommit } | { ok: false; error: CommitRejection }

/** Validates one #commit against the stored state of its repository (undefined if untracked). */
export type CommitVerifier = (event: CommitEvent, repo: RepoTable | undefined) => Promise<CommitCheck>

/** Builds the proof CAR slice (signed commit + MST path + record) for one record path; null if the blocks cannot prove it. */
export type ProofBuilder = (commit: VerifiedCommit, path: string) => Uint8Array | null
