import { type Kysely, sql } from 'kysely'
import type { Dialect } from '../db.js'

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const bytes = dialect === 'postgres' ? 'bytea' : 'blob'
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer'

  await db.schema
    .createTable('declaration')
    .addColumn('uri', 'text', (c) => c.primaryKey().notNull())
    .addColumn('did', 'text', (c) => c.notNull())
    .addColumn('collection', 'text', (c) => c.notNull())
    .addColumn('rkey', 'text', (c) => c.notNull())
    .addColumn('cid', 'text', (c) => c.notNull())
    .addColumn('rev', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('scope_type', 'text', (c) => c.notNull())
    .addColumn('scope_target', 'text')
    .addColumn('scope_cid', 'text')
    .addColumn('preferences', 'text', (c) => c.notNull())
    .addColumn('statement', 'text')
    .addColumn('license_uri', 'text')
    .addColumn('created_at', 'text')
    .addColumn('origin_verified', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('indexed_at', 'text', (c) => c.notNull())
    .addColumn('proof', sql.raw(bytes), (c) => c.notNull())
    .addColumn('seq', sql.raw(bigint), (c) => c.notNull())
    .execute()
  await db.schema.createIndex('declaration_did_idx').on('declaration').columns(['did', 'scope_type']).execute()
  await db.schema
    .createIndex('declaration_target_idx')
    .on('declaration')
    .columns(['scope_target', 'scope_type'])
    .execute()

  const change = db.schema.createTable('change')
  await (dialect === 'postgres'
    ? change.addColumn('seq', 'bigserial', (c) => c.primaryKey().notNull())
    : change.addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
  )
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('did', 'text', (c) => c.notNull())
    .addColumn('uri', 'text')
    .addColumn('cid', 'text')
    .addColumn('rev', 'text')
    .addColumn('indexed_at', 'text', (c) => c.notNull())
    .addColumn('view', 'text')
    .execute()
  await db.schema.createIndex('change_did_idx').on('change').column('did').execute()

  await db.schema
    .createTable('repo')
    .addColumn('did', 'text', (c) => c.primaryKey().notNull())
    .addColumn('rev', 'text', (c) => c.notNull())
    .addColumn('data_cid', 'text', (c) => c.notNull())
    .addColumn('commit_cid', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('handle', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('cursor')
    .addColumn('source', 'text', (c) => c.primaryKey().notNull())
    .addColumn('seq', sql.raw(bigint), (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['cursor', 'repo', 'change', 'declaration']) await db.schema.dropTable(table).execute()
}
