import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { catchUpLog, openDb } from '@donottrain/indexer'
import { bskyIds, ids } from '@donottrain/lexicon'

type Sqlite = {
  prepare(sql: string): { run(...args: unknown[]): unknown }
  transaction<T extends (...a: never[]) => unknown>(fn: T): T
  pragma(p: string): unknown
  close(): void
}
const Database = createRequire(import.meta.url)('better-sqlite3') as new (path: string) => Sqlite

/** The DID of account i: a fixed-width did:plc-shaped identifier. */
export const didOf = (i: number): string => `did:plc:${i.toString(36).padStart(24, '0')}`

/** Bump when the seeded store's shape changes, so an old store file is not reused. */
const SEED_VERSION = 2

/** Where the store of `accounts` accounts lives under `dir`. */
export const storeFile = (dir: string, accounts: number): string => `${dir}/store-${accounts}-v${SEED_VERSION}.sqlite`

/**
 * Fills a fresh indexer store with `accounts` accounts holding `perAccount` declarations each
 * (account scope, plus record scopes on posts), through the indexer's own migrations, as the
 * ingester leaves it: each declaration with its `create` change row, and the transparency log
 * holding one leaf per change (built by the indexer's own catch-up), so every answer carries a
 * real inclusion proof. Proof bytes are a short placeholder: the benchmarked reads never load them.
 */
export async function seedStore(path: string, accounts: number, perAccount: number): Promise<'created' | 'reused'> {
  if (existsSync(path)) return 'reused'
  const db = openDb({ dialect: 'sqlite', path })
  await db.migrateToLatest()
  await db.close()
  const sqlite = new Database(path)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = OFF')
  const insert = sqlite.prepare(
    `insert into declaration (uri, did, collection, rkey, cid, rev, source, scope_type, scope_target, scope_cid,
       preferences, statement, license_uri, created_at, origin_verified, indexed_at, proof, seq)
     values (?, ?, ?, ?, ?, ?, 'declaration', ?, ?, null, ?, null, null, ?, 0, ?, ?, ?)`,
  )
  const change = sqlite.prepare(
    `insert into change (seq, kind, did, uri, cid, rev, indexed_at, view) values (?, 'create', ?, ?, ?, ?, ?, ?)`,
  )
  const repo = sqlite.prepare(
    `insert into repo (did, rev, data_cid, commit_cid, status, handle, updated_at) values (?, ?, ?, ?, 'active', null, ?)`,
  )
  const now = new Date().toISOString()
  const proof = Buffer.alloc(16)
  const cid = 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm'
  const prefs = JSON.stringify({ trainAi: 'deny' })
  const rev = '3l3qo2vutsw2b'
  let seq = 0
  const batch = sqlite.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const did = didOf(i)
      repo.run(did, rev, cid, cid, now)
      for (let j = 0; j < perAccount; j++) {
        const rkey = j === 0 ? 'self' : `3l3qo2vuts${j.toString(36).padStart(3, 'a')}`
        const uri = `at://${did}/${ids.AiDonottrainDeclaration}/${rkey}`
        const target = j === 0 ? null : `at://${did}/${bskyIds.post}/${rkey}`
        const scope = j === 0 ? 'account' : 'record'
        insert.run(uri, did, ids.AiDonottrainDeclaration, rkey, cid, rev, scope, target, prefs, now, now, proof, ++seq)
        const view = {
          $type: 'ai.donottrain.defs#declarationView',
          uri,
          cid,
          did,
          source: 'declaration',
          scope: target
            ? { $type: 'ai.donottrain.declaration#recordScope', uri: target }
            : { $type: 'ai.donottrain.declaration#accountScope' },
          preferences: { trainAi: 'deny' },
          rev,
          createdAt: now,
          indexedAt: now,
        }
        change.run(seq, did, uri, cid, rev, now, JSON.stringify(view))
      }
    }
  })
  for (let i = 0; i < accounts; i += 10_000) batch(i, Math.min(accounts, i + 10_000))
  sqlite.close()
  const store = openDb({ dialect: 'sqlite', path })
  try {
    await catchUpLog(store.kysely as Parameters<typeof catchUpLog>[0], 10_000)
  } finally {
    await store.close()
  }
  return 'created'
}
