import type { Database, Statement } from 'better-sqlite3'

/** Prepared statements kept per SQL text; the least recently used beyond this are dropped. */
export const STATEMENT_CACHE_SIZE = 500

/** The part of a better-sqlite3 Database Kysely's SqliteDialect uses. */
export interface StatementSource {
  prepare(sql: string): Statement
  close(): void
}

/**
 * Wraps a better-sqlite3 Database so `prepare` returns a cached statement for SQL it has seen
 * (Kysely prepares every query it runs; preparing costs more than running most of ours). A
 * statement still iterating (a streamed query) is busy: a fresh one is prepared for that call.
 * Bounded: least recently used statements beyond `max` are dropped (better-sqlite3 finalizes them
 * when collected).
 */
export function cachingStatements(db: Database, max = STATEMENT_CACHE_SIZE): StatementSource {
  const cache = new Map<string, Statement>()
  return {
    prepare(sql: string): Statement {
      const hit = cache.get(sql)
      if (hit !== undefined) {
        if (hit.busy) return db.prepare(sql)
        // Move to the back (most recently used).
        cache.delete(sql)
        cache.set(sql, hit)
        return hit
      }
      const stmt = db.prepare(sql)
      cache.set(sql, stmt)
      if (cache.size > max) cache.delete(cache.keys().next().value as string)
      return stmt
    },
    close() {
      cache.clear()
      db.close()
    },
  }
}
