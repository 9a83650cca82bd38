import type { Kysely } from 'kysely'
import type { BackfillRunTable, DatabaseSchema } from './schema.js'

export type BackfillRepoState = 'candidate' | 'pending' | 'done' | 'skipped' | 'failed'

const RUN_ID = 'current'

/** The backfill's persisted progress: the run, each listing's cursor, and each repository found. */
export class BackfillStore {
  constructor(private readonly kysely: Kysely<DatabaseSchema>) {}

  async run(): Promise<BackfillRunTable | undefined> {
    return this.kysely.selectFrom('backfill_run').selectAll().where('id', '=', RUN_ID).executeTakeFirst()
  }

  /**
   * The run to work on: an unfinished run from the same source is resumed; otherwise (none,
   * finished, or another source) a new one starts with its progress cleared.
   */
  async startOrResume(source: string): Promise<{ resumed: boolean; run: BackfillRunTable }> {
    return this.kysely.transaction().execute(async (tx) => {
      const run = await tx.selectFrom('backfill_run').selectAll().where('id', '=', RUN_ID).executeTakeFirst()
      if (run && run.completed_at === null && run.source === source) return { resumed: true, run }
      await tx.deleteFrom('backfill_repo').execute()
      await tx.deleteFrom('backfill_cursor').execute()
      await tx.deleteFrom('backfill_run').execute()
      const fresh = { id: RUN_ID, source, started_at: new Date().toISOString(), completed_at: null }
      await tx.insertInto('backfill_run').values(fresh).execute()
      return { resumed: false, run: fresh }
    })
  }

  async complete(): Promise<void> {
    await this.kysely
      .updateTable('backfill_run')
      .set({ completed_at: new Date().toISOString() })
      .where('id', '=', RUN_ID)
      .execute()
  }

  async cursor(key: string): Promise<{ cursor: string | null; done: boolean } | undefined> {
    const row = await this.kysely
      .selectFrom('backfill_cursor')
      .select(['cursor', 'done'])
      .where('key', '=', key)
      .executeTakeFirst()
    return row && { cursor: row.cursor, done: row.done === 1 }
  }

  /** Saves one listing page: the repositories it found and the cursor after it, in one transaction. */
  async savePage(key: string, dids: readonly string[], state: BackfillRepoState, next: string | null): Promise<void> {
    await this.kysely.transaction().execute(async (tx) => {
      const now = new Date().toISOString()
      for (let i = 0; i < dids.length; i += 500) {
        const values = dids.slice(i, i + 500).map((did) => ({ did, state, error: null, updated_at: now }))
        if (values.length > 0) {
          await tx
            .insertInto('backfill_repo')
            .values(values)
            .onConflict((oc) => oc.column('did').doNothing())
            .execute()
        }
      }
      const done = next === null ? 1 : 0
      await tx
        .insertInto('backfill_cursor')
        .values({ key, cursor: next, done, updated_at: now })
        .onConflict((oc) => oc.column('key').doUpdateSet({ cursor: next, done, updated_at: now }))
        .execute()
    })
  }

  /** Repositories in `state`, in DID order after `after`. */
  async repos(state: BackfillRepoState, after: string, limit: number): Promise<string[]> {
    const rows = await this.kysely
      .selectFrom('backfill_repo')
      .select('did')
      .where('state', '=', state)
      .where('did', '>', after)
      .orderBy('did')
      .limit(limit)
      .execute()
    return rows.map((r) => r.did)
  }

  async setRepoState(did: string, state: BackfillRepoState, error: string | null = null): Promise<void> {
    await this.kysely
      .updateTable('backfill_repo')
      .set({ state, error: error?.slice(0, 500) ?? null, updated_at: new Date().toISOString() })
      .where('did', '=', did)
      .execute()
  }

  /** How many repositories are in each state. */
  async counts(): Promise<Record<BackfillRepoState, number>> {
    const rows = await this.kysely
      .selectFrom('backfill_repo')
      .select((eb) => ['state', eb.fn.countAll<number | string>().as('n')])
      .groupBy('state')
      .execute()
    const out: Record<BackfillRepoState, number> = { candidate: 0, pending: 0, done: 0, skipped: 0, failed: 0 }
    for (const r of rows) if (r.state in out) out[r.state as BackfillRepoState] = Number(r.n)
    return out
  }
}
