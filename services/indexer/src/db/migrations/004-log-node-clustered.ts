import { type Kysely, sql } from 'kysely'
import type { Dialect } from '../db.js'

/**
 * SQLite: log_node becomes a WITHOUT ROWID table, its rows stored in (level, idx) order. A node
 * is then one B-tree search instead of two (index, then row), appends write one B-tree instead
 * of two, and a run of nodes of one level is read sequentially (the API's proof tree loads a
 * million nodes this way). PostgreSQL keeps its table (its primary key index serves the same).
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect !== 'sqlite') return
  await rebuild(db, true)
}

export async function down(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect !== 'sqlite') return
  await rebuild(db, false)
}

async function rebuild(db: Kysely<unknown>, clustered: boolean): Promise<void> {
  const options = sql.raw(clustered ? ' without rowid' : '')
  await sql`create table log_node_next (
    level integer not null,
    idx integer not null,
    hash blob not null,
    constraint log_node_pk primary key (level, idx)
  )${options}`.execute(db)
  await sql`insert into log_node_next (level, idx, hash) select level, idx, hash from log_node order by level, idx`.execute(
    db,
  )
  await sql`drop table log_node`.execute(db)
  await sql`alter table log_node_next rename to log_node`.execute(db)
}
