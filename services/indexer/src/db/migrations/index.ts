import type { Kysely } from 'kysely'
import type { Dialect } from '../db.js'
import * as m001 from './001-init.js'

export interface IndexerMigration {
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>
  down(db: Kysely<unknown>, dialect: Dialect): Promise<void>
}

/** Numbered migrations, applied in key order. Never edit one that has shipped: add the next. */
export const migrations: Record<string, IndexerMigration> = {
  '001': m001,
}
