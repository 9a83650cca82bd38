import { type Kysely, sql } from 'kysely'
import type { Dialect } from '../db.js'

/** The transparency log (leaves, stored subtree nodes, checkpoints) and the feed's order index. */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const bytes = sql.raw(dialect === 'postgres' ? 'bytea' : 'blob')
  const bigint = sql.raw(dialect === 'postgres' ? 'bigint' : 'integer')
  await db.schema
    .createTable('log_leaf')
    .addColumn('idx', bigint, (c) => c.primaryKey().notNull())
    .addColumn('change_seq', bigint, (c) => c.notNull().unique())
    .addColumn('leaf', bytes, (c) => c.notNull())
    .addColumn('hash', bytes, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('log_leaf_hash_idx').on('log_leaf').column('hash').execute()
  await db.schema
    .createTable('log_node')
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('idx', bigint, (c) => c.notNull())
    .addColumn('hash', bytes, (c) => c.notNull())
    .addPrimaryKeyConstraint('log_node_pk', ['level', 'idx'])
    .execute()
  await db.schema
    .createTable('log_checkpoint')
    .addColumn('size', bigint, (c) => c.primaryKey().notNull())
    .addColumn('root', bytes, (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('log_checkpoint_created_idx').on('log_checkpoint').column('created_at').execute()
  // The Bluesky feed reads record-scope declarations newest first.
  await db.schema.createIndex('declaration_seq_idx').on('declaration').columns(['scope_type', 'seq']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('declaration_seq_idx').execute()
  for (const table of ['log_checkpoint', 'log_node', 'log_leaf']) await db.schema.dropTable(table).execute()
}
