import type { Kysely } from 'kysely'
import type { Dialect } from '../db.js'
import * as m001 from './001-init.js'
import * as m002 from './002-sync.js'
import * as m003 from './003-log.js'
import * as m004 from './004-log-node-clustered.js'

export interface IndexerMigration {
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>
  down(db: Kysely<unknown>, dialect: Dialect): Promise<void>
}

/** Numbered migrations, applied in key order. Never edit one that has shipped: add the next. */
export const migrations: Record<string, IndexerMigration> = {
  '001': m001,
  '002': m002,
  '003': m003,
  '004': m004,
}
