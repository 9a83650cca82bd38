import { afterEach, describe, expect, it } from 'vitest'
import { commit, REVS, SOURCE, testIngester } from './test-support.js'

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'

describe('Ingester, around resyncs', () => {
  let t: Awaited<ReturnType<typeof testIngester>> | undefined
  afterEach(async () => {
    await t?.close()
    t = undefined
  })
  const skipped = (reason: string) => t?.metrics.get('donottrain_commits_skipped_total', { reason }) ?? 0

  it('skips quietly the commits a resync snapshot already covers, and judges later ones as usual', async () => {
    t = await testIngester()
    await t.track(DID, REVS[2] as string)
    await t.store.kysely
      .updateTable('repo')
      .set({ resync_rev: REVS[2] as string })
      .where('did', '=', DID)
      .execute()
    await t.ingester.handle(commit(DID, 1, REVS[1] as string, REVS[0] as string))
    await t.ingester.handle(commit(DID, 2, REVS[2] as string, REVS[1] as string))
    expect(skipped('covered-by-resync')).toBe(2)
    expect(t.verified).toEqual([])
    expect(t.metrics.total('donottrain_rejections_total')).toBe(0)
    expect(await t.store.getCursor(SOURCE)).toBe(2)
    await t.ingester.handle(commit(DID, 3, REVS[3] as string, REVS[2] as string))
    expect((await t.store.getRepo(DID))?.rev).toBe(REVS[3])
  })

  it('asks for a resync on a broken chain, then skips the repository until the resync is written', async () => {
    const asked: string[] = []
    t = await testIngester({ onDesync: (did, reason) => asked.push(`${did} ${reason}`) })
    await t.track(DID, REVS[1] as string)
    await t.ingester.handle(commit(DID, 5, REVS[3] as string, REVS[2] as string))
    expect(asked).toEqual([`${DID} chain-broken`])
    expect(t.metrics.get('donottrain_rejections_total', { reason: 'chain-broken' })).toBe(1)
    expect((await t.store.getRepo(DID))?.status).toBe('desynchronized')
    expect(await t.store.getResyncRequest(DID)).toMatchObject({ reason: 'chain-broken' })
    expect(await t.store.getCursor(SOURCE)).toBe(5)
    await t.ingester.handle(commit(DID, 6, REVS[4] as string, REVS[3] as string))
    expect(skipped('desynchronized')).toBe(1)
    expect(t.metrics.total('donottrain_rejections_total')).toBe(1)
  })

  it('defers a commit it cannot check for an outage: no rejection, a durable resync request', async () => {
    const asked: string[] = []
    t = await testIngester({ onDesync: (_did, reason) => asked.push(reason) })
    t.failNext({ ok: false, error: { reason: 'did-unavailable', message: 'plc down', retry: true } })
    const event = commit(DID, 7, REVS[0] as string, null)
    event.ops = [{ action: 'create', path: 'ai.donottrain.declaration/self', cid: event.commit, prev: null }]
    await t.ingester.handle(event)
    expect(t.metrics.total('donottrain_rejections_total')).toBe(0)
    expect(t.metrics.get('donottrain_commits_deferred_total', { reason: 'did-unavailable' })).toBe(1)
    expect(asked).toEqual(['did-unavailable'])
    expect(await t.store.getResyncRequest(DID)).toMatchObject({ reason: 'did-unavailable' })
    expect(await t.store.getCursor(SOURCE)).toBe(7)
  })

  it('holds commits for a pending resync, and replays without moving the cursor', async () => {
    const held: number[] = []
    t = await testIngester({
      holdCommit: (event) => {
        if (event.seq < 10) return false
        held.push(event.seq)
        return true
      },
    })
    await t.track(DID, REVS[0] as string)
    await t.ingester.handle(commit(DID, 9, REVS[1] as string, REVS[0] as string))
    const later = commit(DID, 10, REVS[2] as string, REVS[1] as string)
    await t.ingester.handle(later)
    expect(held).toEqual([10])
    expect(t.metrics.get('donottrain_commits_held_total')).toBe(1)
    expect((await t.store.getRepo(DID))?.rev).toBe(REVS[1])
    await t.ingester.exclusive(() => t?.ingester.replay([later]) as Promise<void>)
    expect((await t.store.getRepo(DID))?.rev).toBe(REVS[2])
    expect(await t.store.getCursor(SOURCE)).toBe(10)
    await t.store.saveCursor(SOURCE, 50)
    await t.ingester.exclusive(
      () => t?.ingester.replay([commit(DID, 11, REVS[3] as string, REVS[2] as string)]) as Promise<void>,
    )
    expect(await t.store.getCursor(SOURCE)).toBe(50)
  })

  it('asks for a resync on a valid #sync only when it is ahead of the stored rev', async () => {
    const asked: string[] = []
    t = await testIngester({ onDesync: (_, reason) => asked.push(reason), verifySync: async () => null })
    await t.track(DID, REVS[2] as string)
    const sync = (seq: number, rev: string) =>
      ({ type: 'sync', seq, did: DID, rev, blocks: new Uint8Array(1), time: new Date().toISOString() }) as const
    await t.ingester.handle(sync(20, REVS[2] as string))
    expect(asked).toEqual([])
    await t.ingester.handle(sync(21, REVS[4] as string))
    expect(asked).toEqual(['sync'])
    expect((await t.store.getRepo(DID))?.status).toBe('desynchronized')
    expect(await t.store.getCursor(SOURCE)).toBe(21)
  })

  it('reports the lag of the last event', async () => {
    t = await testIngester()
    const event = commit(DID, 1, REVS[0] as string, null)
    event.time = new Date(Date.now() - 60_000).toISOString()
    await t.ingester.handle(event)
    expect(t.metrics.render()).toMatch(/^donottrain_firehose_lag_seconds (\d+(\.\d+)?)$/m)
    const lag = Number(/^donottrain_firehose_lag_seconds (.+)$/m.exec(t.metrics.render())?.[1])
    expect(lag).toBeGreaterThanOrEqual(60)
  })
})
