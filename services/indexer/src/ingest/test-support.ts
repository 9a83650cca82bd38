import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { openDb } from '../db/db.js'
import { Store } from '../db/store.js'
import { Metrics } from '../metrics.js'
import type { CommitEvent } from './ingester.js'
import { Ingester, type IngesterDeps } from './ingester.js'
import type { CommitCheck } from './types.js'

// Shared by the ingester and resyncer unit tests (not part of the build: see tsconfig exclude).

export const SOURCE = 'ws://relay.test/xrpc/com.atproto.sync.subscribeRepos'
export const CID = 'bafyreidfayvfuwqa7qlnopdjiqrxzs6blmoeu4rujcjtnci5beludirz2a'
export const DATA = 'bafyreihjxc5gzmuwyqydm5nbsbdo5mczzogrxpypz2e3s4dxc6vzdgem4q'
export const REVS = [
  '3l2s5xxv2ze2a',
  '3l2s5xxv2ze2b',
  '3l2s5xxv2ze2c',
  '3l2s5xxv2ze2d',
  '3l2s5xxv2ze2e',
  '3l2s5xxv2ze2f',
]

/** A commit touching no declaration collection (only tracked repos validate it). */
export function commit(did: string, seq: number, rev: string, since: string | null): CommitEvent {
  return {
    type: 'commit',
    seq,
    repo: did,
    rev,
    since,
    commit: CID,
    blocks: new Uint8Array(16),
    ops: [{ action: 'create', path: `app.bsky.feed.like/${rev}`, cid: CID, prev: null }],
    prevData: DATA,
    time: new Date().toISOString(),
  }
}

/** An ingester on a temp SQLite store whose commit check is the chain only (since = stored rev). */
export async function testIngester(deps: Partial<IngesterDeps> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'donottrain-ingester-'))
  const db = openDb({ dialect: 'sqlite', path: join(dir, 'indexer.sqlite') })
  await db.migrateToLatest()
  const store = new Store(db)
  const metrics = new Metrics()
  const verified: string[] = []
  let next: CommitCheck | undefined
  const ingester = new Ingester({
    store,
    metrics,
    log: pino({ level: 'silent' }),
    source: SOURCE,
    cursorFlushMs: 0,
    buildProof: () => Uint8Array.from([1]),
    verifyCommit: async (event, repo) => {
      verified.push(event.rev)
      const forced = next
      next = undefined
      if (forced) return forced
      if (repo && (event.since !== repo.rev || event.rev <= repo.rev)) {
        return { ok: false, error: { reason: 'chain-broken', message: 'chain', desync: true } }
      }
      return {
        ok: true,
        value: { did: event.repo, rev: event.rev, commitCid: CID, dataCid: DATA, blocks: new Map() },
      }
    },
    ...deps,
  })
  await ingester.init()
  return {
    store,
    metrics,
    ingester,
    verified,
    /** The next commit check returns this. */
    failNext(check: CommitCheck) {
      next = check
    },
    /** Tracks `did` at `rev` (as if a declaration had been indexed). */
    async track(did: string, rev: string) {
      await store.applyCommit({ did, rev, dataCid: DATA, commitCid: CID, changes: [], track: true })
      ingester.track(did)
    },
    async close() {
      await db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
