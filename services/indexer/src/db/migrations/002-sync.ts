import { type Kysely, sql } from 'kysely'
import type { Dialect } from '../db.js'

/** Resync requests, backfill progress, origin checks, and the rev a resync covered. */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('repo').addColumn('resync_rev', 'text').execute()
  await db.schema
    .createTable('origin_check')
    .addColumn('uri', 'text', (c) => c.primaryKey().notNull())
    .addColumn('cid', 'text', (c) => c.notNull())
    .addColumn('checked_at', 'text', (c) => c.notNull())
    .addColumn('via', 'text')
    .execute()

  await db.schema
    .createTable('resync_request')
    .addColumn('did', 'text', (c) => c.primaryKey().notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_attempt_at', 'text')
    .addColumn('last_error', 'text')
    .execute()
  // Repositories a 001 indexer left desynchronized get a resync now.
  await sql`insert into resync_request (did, reason, requested_at, attempts)
    select did, 'desynchronized', updated_at, 0 from repo where status = 'desynchronized'`.execute(db)

  await db.schema
    .createTable('backfill_run')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .execute()
  await db.schema
    .createTable('backfill_cursor')
    .addColumn('key', 'text', (c) => c.primaryKey().notNull())
    .addColumn('cursor', 'text')
    .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('backfill_repo')
    .addColumn('did', 'text', (c) => c.primaryKey().notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('backfill_repo_state_idx').on('backfill_repo').columns(['state', 'did']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['backfill_repo', 'backfill_cursor', 'backfill_run', 'resync_request', 'origin_check']) {
    await db.schema.dropTable(table).execute()
  }
  await db.schema.alterTable('repo').dropColumn('resync_rev').execute()
}
