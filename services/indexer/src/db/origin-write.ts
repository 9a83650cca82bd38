import type { Kysely } from 'kysely'
import { toDeclarationView } from '../views.js'
import { type ChangeKind, insertChange } from './record-write.js'
import type { DatabaseSchema } from './schema.js'

/** See Store.recordOriginCheck. */
export async function recordOriginCheck(
  db: Kysely<DatabaseSchema>,
  check: { uri: string; cid: string; verified: boolean | null; via: string | null },
): Promise<ChangeKind | null> {
  const { uri, cid, verified, via } = check
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom('declaration')
      .selectAll()
      .where('uri', '=', uri)
      .where('cid', '=', cid)
      .where('scope_type', '=', 'origin')
      .executeTakeFirst()
    if (!row) return null
    const now = new Date().toISOString()
    await tx
      .insertInto('origin_check')
      .values({ uri, cid, checked_at: now, via })
      .onConflict((oc) => oc.column('uri').doUpdateSet({ cid, checked_at: now, via }))
      .execute()
    const flag = verified === null ? row.origin_verified : verified ? 1 : 0
    if (flag === row.origin_verified) return null
    const { proof: _proof, seq: _seq, ...rest } = row
    const updated = { ...rest, origin_verified: flag, indexed_at: now }
    const seq = await insertChange(tx, {
      kind: 'update',
      did: row.did,
      uri,
      cid,
      rev: row.rev,
      indexed_at: now,
      view: JSON.stringify(toDeclarationView(updated)),
    })
    await tx
      .updateTable('declaration')
      .set({ origin_verified: flag, indexed_at: now, seq })
      .where('uri', '=', uri)
      .execute()
    return 'update'
  })
}
