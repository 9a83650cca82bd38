import Database from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { describe, expect, it } from 'vitest'
import { PreparedQuery } from './prepared.js'

interface Schema {
  kv: { k: string; v: number; note: string | null }
}

describe('PreparedQuery', () => {
  const open = async () => {
    const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) })
    await db.schema
      .createTable('kv')
      .addColumn('k', 'text', (c) => c.primaryKey())
      .addColumn('v', 'integer')
      .addColumn('note', 'text')
      .execute()
    return db
  }
  const upsert = new PreparedQuery(2, (db: Kysely<Schema>, k: string, v: number) =>
    db
      .insertInto('kv')
      .values({ k, v, note: 'const' })
      .onConflict((oc) => oc.column('k').doUpdateSet({ v })),
  )
  const byKey = new PreparedQuery(1, (db: Kysely<Schema>, k: string) =>
    db.selectFrom('kv').selectAll().where('k', '=', k),
  )

  it('runs the query built once with new parameters each time, constants kept, a parameter used twice filled twice', async () => {
    const db = await open()
    await upsert.execute(db, 'a', 1)
    await upsert.execute(db, 'b', 2)
    await upsert.execute(db, 'a', 3)
    expect(await byKey.first(db, 'a')).toEqual({ k: 'a', v: 3, note: 'const' })
    expect(await byKey.rows(db, 'b')).toEqual([{ k: 'b', v: 2, note: 'const' }])
    expect(await byKey.first(db, 'c')).toBeUndefined()
    await db.transaction().execute(async (tx) => {
      await upsert.execute(tx, 'c', 4)
      expect(await byKey.first(tx, 'c')).toMatchObject({ v: 4 })
    })
    await db.destroy()
  })

  it('refuses a builder that drops a parameter', async () => {
    const db = await open()
    const bad = new PreparedQuery(2, (d: Kysely<Schema>, k: string, _unused: number) =>
      d.selectFrom('kv').selectAll().where('k', '=', k),
    )
    await expect(bad.first(db, 'a', 1)).rejects.toThrow(/uses 1 of 2 parameters/)
    await db.destroy()
  })
})
