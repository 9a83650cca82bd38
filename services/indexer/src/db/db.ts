import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { Kysely, type Migration, Migrator, PostgresDialect, SqliteDialect } from 'kysely'
import pg from 'pg'
import type { IndexerConfig } from '../config.js'
import { migrations } from './migrations/index.js'
import type { DatabaseSchema } from './schema.js'
import { cachingStatements } from './statement-cache.js'

export type Dialect = 'sqlite' | 'postgres'

export interface Db {
  kysely: Kysely<DatabaseSchema>
  dialect: Dialect
  migrateToLatest(): Promise<void>
  close(): Promise<void>
}

/** Opens the store: an embedded SQLite file (WAL) by default, or a PostgreSQL pool. */
export function openDb(cfg: IndexerConfig['db']): Db {
  let kysely: Kysely<DatabaseSchema>
  if (cfg.dialect === 'sqlite') {
    if (cfg.path !== ':memory:') mkdirSync(dirname(cfg.path), { recursive: true })
    const sqlite = new Database(cfg.path)
    sqlite.pragma('journal_mode = WAL')
    sqlite.pragma('synchronous = NORMAL')
    sqlite.pragma('busy_timeout = 5000')
    sqlite.pragma('foreign_keys = ON')
    kysely = new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database: cachingStatements(sqlite) }) })
  } else {
    // int8 (bigint) columns hold sequence numbers well inside the safe integer range.
    pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10))
    const pool = new pg.Pool({ connectionString: cfg.url, max: 10 })
    // An idle connection the server closes (restart, failover, shutdown) is dropped by the pool,
    // and the next query opens another; without a listener the pool's 'error' event would throw.
    pool.on('error', () => {})
    kysely = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) })
  }
  const dialect = cfg.dialect
  return {
    kysely,
    dialect,
    async migrateToLatest() {
      const provider = {
        async getMigrations(): Promise<Record<string, Migration>> {
          return Object.fromEntries(
            Object.entries(migrations).map(([name, m]) => [
              name,
              { up: (db: Kysely<unknown>) => m.up(db, dialect), down: (db: Kysely<unknown>) => m.down(db, dialect) },
            ]),
          )
        },
      }
      const { error, results } = await new Migrator({ db: kysely, provider }).migrateToLatest()
      const failed = results?.find((r) => r.status === 'Error')
      if (error || failed) {
        throw new Error(`migration failed migration=${failed?.migrationName ?? 'unknown'}`, { cause: error })
      }
    },
    close: () => kysely.destroy(),
  }
}
