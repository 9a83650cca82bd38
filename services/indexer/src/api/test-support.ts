import type { Kysely } from 'kysely'
import type { Db } from '../db/db.js'
import type { LogStore } from '../tlog/log-store.js'
import type { LogSchema } from '../tlog/schema.js'

export const did = (i: number) => `did:plc:${i.toString(36).padStart(24, 'a')}`
export const CID = 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm'
export const ORIGIN = 'https://blog.example'

/** 30 accounts: account, collection, record and origin scopes, some without a repo row or a log leaf. */
export async function seed(db: Db, log: LogStore): Promise<void> {
  const k = db.kysely
  let seq = 0
  const rows = []
  for (let i = 0; i < 30; i++) {
    const d = did(i)
    if (i % 7 !== 3) {
      await k
        .insertInto('repo')
        .values({
          did: d,
          rev: '3l3qo2vutsw2b',
          data_cid: CID,
          commit_cid: CID,
          status: i % 5 === 0 ? 'deactivated' : 'active',
          handle: i % 3 === 0 ? `user${i}.example` : null,
          updated_at: '2026-11-28T00:00:00.000Z',
        })
        .execute()
    }
    for (let j = 0; j < i % 4; j++) {
      const scope = (['account', 'collection', 'record', 'origin'] as const)[(i + j) % 4] as string
      const rkey = j === 0 ? 'self' : `3l3qo2vuts${j}aa`
      rows.push({
        uri: `at://${d}/ai.donottrain.declaration/${rkey}`,
        did: d,
        collection: 'ai.donottrain.declaration',
        rkey,
        cid: CID,
        rev: '3l3qo2vutsw2b',
        source: j === 2 ? 'postTag' : 'declaration',
        scope_type: scope,
        scope_target:
          scope === 'collection'
            ? 'app.bsky.feed.post'
            : scope === 'record'
              ? `at://${d}/app.bsky.feed.post/3l3qo2vutsaab`
              : scope === 'origin'
                ? ORIGIN
                : null,
        scope_cid: scope === 'record' && i % 2 ? CID : null,
        preferences: JSON.stringify(i % 2 ? { trainAi: 'deny' } : { trainAi: 'allow', search: 'deny' }),
        statement: i % 3 === 1 ? `statement ${i} "quoted" ✓` : null,
        license_uri: i % 4 === 1 ? 'https://creativecommons.org/licenses/by-nc/4.0/' : null,
        created_at: i % 2 ? '2026-11-27T00:00:00.000Z' : null,
        origin_verified: scope === 'origin' && i % 3 !== 2 ? 1 : 0,
        indexed_at: '2026-11-28T00:00:00.000Z',
        proof: new Uint8Array([1, 2, 3]),
        seq: ++seq,
      })
    }
  }
  await k.insertInto('declaration').values(rows).execute()
  // Every declaration but the last few is in the log.
  const logged = rows.slice(0, -3).map((r) => ({
    seq: r.seq,
    kind: 'create',
    did: r.did,
    uri: r.uri,
    cid: r.cid,
    rev: r.rev,
    indexed_at: r.indexed_at,
  }))
  await (k as unknown as Kysely<LogSchema>).transaction().execute((tx) => log.append(tx, logged))
}
