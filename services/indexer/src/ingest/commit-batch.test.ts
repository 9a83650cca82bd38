import { afterEach, describe, expect, it } from 'vitest'
import { commit, REVS, SOURCE, testIngester } from './test-support.js'

const ALICE = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'
const BOB = 'did:plc:44ybard66vv44zksje25o7dz'

describe('Ingester, batched writes', () => {
  let t: Awaited<ReturnType<typeof testIngester>> | undefined
  afterEach(async () => {
    await t?.close()
    t = undefined
  })

  it('writes the commits handed in together in one transaction with the last cursor, each chained on the one before', async () => {
    t = await testIngester()
    await t.track(ALICE, REVS[0] as string)
    await t.track(BOB, REVS[0] as string)
    const store = t.store
    let transactions = 0
    const applyCommits = store.applyCommits.bind(store)
    store.applyCommits = (writes, cursor) => {
      transactions++
      return applyCommits(writes, cursor)
    }
    const events = [
      commit(ALICE, 1, REVS[1] as string, REVS[0] as string),
      commit(BOB, 2, REVS[1] as string, REVS[0] as string),
      // Checked against the state the batch will leave, not the stored one.
      commit(ALICE, 3, REVS[2] as string, REVS[1] as string),
      commit(ALICE, 4, REVS[3] as string, REVS[2] as string),
    ]
    const settled: number[] = []
    await Promise.all(events.map((e) => t?.ingester.handle(e).then(() => settled.push(e.seq))))
    expect(transactions).toBe(1)
    expect(settled).toEqual([1, 2, 3, 4])
    expect(t.metrics.total('donottrain_rejections_total')).toBe(0)
    expect((await store.getRepo(ALICE))?.rev).toBe(REVS[3])
    expect((await store.getRepo(BOB))?.rev).toBe(REVS[1])
    expect(await store.getCursor(SOURCE)).toBe(4)
  })

  it('resolves each event only once its batch is durable', async () => {
    t = await testIngester()
    await t.track(ALICE, REVS[0] as string)
    await t.ingester.handle(commit(ALICE, 7, REVS[1] as string, REVS[0] as string))
    expect((await t.store.getRepo(ALICE))?.rev).toBe(REVS[1])
    expect(await t.store.getCursor(SOURCE)).toBe(7)
  })

  it('never saves a cursor past a failed event: later events fail until none is in flight', async () => {
    t = await testIngester()
    await t.track(ALICE, REVS[0] as string)
    await t.track(BOB, REVS[0] as string)
    const store = t.store
    const getRepo = store.getRepo.bind(store)
    let broken = true
    store.getRepo = async (did) => {
      if (did === BOB && broken) throw new Error('store down')
      return getRepo(did)
    }
    const outcomes = await Promise.allSettled([
      t.ingester.handle(commit(ALICE, 1, REVS[1] as string, REVS[0] as string)),
      t.ingester.handle(commit(BOB, 2, REVS[1] as string, REVS[0] as string)),
      t.ingester.handle(commit(ALICE, 3, REVS[2] as string, REVS[1] as string)),
    ])
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected'])
    expect(await store.getCursor(SOURCE)).toBe(1)
    expect((await store.getRepo(ALICE))?.rev).toBe(REVS[1])
    // The stream resumes from the durable cursor: the same events apply now.
    broken = false
    await t.ingester.handle(commit(BOB, 2, REVS[1] as string, REVS[0] as string))
    await t.ingester.handle(commit(ALICE, 3, REVS[2] as string, REVS[1] as string))
    expect(await store.getCursor(SOURCE)).toBe(3)
    expect((await store.getRepo(ALICE))?.rev).toBe(REVS[2])
  })

  it('fails every event of a batch the store refuses, and writes nothing of it', async () => {
    t = await testIngester()
    await t.track(ALICE, REVS[0] as string)
    await t.store.saveCursor(SOURCE, 0)
    const store = t.store
    const applyCommits = store.applyCommits.bind(store)
    let refuse = true
    store.applyCommits = (writes, cursor) =>
      refuse ? Promise.reject(new Error('disk full')) : applyCommits(writes, cursor)
    const outcomes = await Promise.allSettled([
      t.ingester.handle(commit(ALICE, 1, REVS[1] as string, REVS[0] as string)),
      t.ingester.handle(commit(ALICE, 2, REVS[2] as string, REVS[1] as string)),
    ])
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected'])
    expect(await store.getCursor(SOURCE)).toBe(0)
    expect((await store.getRepo(ALICE))?.rev).toBe(REVS[0])
    refuse = false
    await t.ingester.handle(commit(ALICE, 1, REVS[1] as string, REVS[0] as string))
    expect(await store.getCursor(SOURCE)).toBe(1)
  })

  it('writes the open batch before an exclusive run', async () => {
    t = await testIngester()
    await t.track(ALICE, REVS[0] as string)
    const handled = t.ingester.handle(commit(ALICE, 1, REVS[1] as string, REVS[0] as string))
    const seen = await t.ingester.exclusive(async () => (await t?.store.getRepo(ALICE))?.rev)
    await handled
    expect(seen).toBe(REVS[1])
  })
})
