import { type Kysely, PostgresAdapter, sql, type Transaction } from 'kysely'
import { type LoggableChange, LogStore } from './log-store.js'
import type { LogSchema } from './schema.js'

/** Advisory lock key serializing log appends on PostgreSQL ("dnt-log"). */
const LOG_LOCK = 0x646e746c

/**
 * Appends the leaf of a change inside the transaction that writes the change, so both commit
 * or neither does. On PostgreSQL concurrent writers (ingester, resyncs) take a transaction-level
 * advisory lock first, so leaves get consecutive indexes in commit order; SQLite has one writer.
 */
export async function logChange<DB>(tx: Transaction<DB>, change: LoggableChange): Promise<void> {
  const conn = tx as unknown as Transaction<LogSchema>
  await lockLog(conn)
  await new LogStore(conn).append(conn, [change])
}

/** Serializes log appends for the rest of the transaction (PostgreSQL; SQLite has one writer). */
async function lockLog<DB>(tx: Transaction<DB>): Promise<void> {
  if (tx.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`select pg_advisory_xact_lock(${LOG_LOCK})`.execute(tx)
  }
}

/**
 * Appends leaves for changes the log does not hold yet (a store written before the log
 * existed), in seq order, in bounded transactions. Run before the indexer writes anything.
 */
export async function catchUpLog(db: Kysely<unknown>, batch = 500): Promise<number> {
  const k = db as unknown as Kysely<LogSchema & { change: LoggableChange }>
  const log = new LogStore(k as unknown as Kysely<LogSchema>)
  let added = 0
  for (;;) {
    const after = await log.lastChangeSeq()
    const rows = await k.selectFrom('change').selectAll().where('seq', '>', after).orderBy('seq').limit(batch).execute()
    if (rows.length === 0) return added
    const changes = rows.map((r) => ({ ...r, seq: Number(r.seq) }))
    await k.transaction().execute(async (tx) => {
      await lockLog(tx)
      await log.append(tx as unknown as Transaction<LogSchema>, changes)
    })
    added += changes.length
  }
}
