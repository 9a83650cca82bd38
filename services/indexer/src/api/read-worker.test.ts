import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ReadWorker } from './read-worker.js'

describe('ReadWorker', () => {
  let dir: string
  let file: string
  const TEXT = 'select json_group_array(n) as d from t where n in (select value from json_each(?))'

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'donottrain-read-worker-'))
    file = join(dir, 'store.sqlite')
    const db = new Database(file)
    db.pragma('journal_mode = WAL')
    db.exec('create table t (n integer primary key)')
    const insert = db.prepare('insert into t (n) values (?)')
    for (let n = 0; n < 100; n++) insert.run(n)
    db.close()
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('answers prepared reads on its own connection, as the statement would here', async () => {
    const worker = ReadWorker.start(file, [TEXT], 1 << 20)
    try {
      expect(worker?.alive).toBe(true)
      const row = await worker?.get(TEXT, [JSON.stringify([3, 1, 500])])
      expect(JSON.parse(row?.d as string).sort()).toEqual([1, 3])
      const direct = new Database(file, { readonly: true })
      expect(await worker?.get(TEXT, ['[7]'])).toEqual(direct.prepare(TEXT).get('[7]'))
      direct.close()
    } finally {
      worker?.close()
    }
  })

  it('rejects a read it cannot run and keeps serving', async () => {
    const worker = ReadWorker.start(file, [TEXT], 1 << 20)
    try {
      await expect(worker?.get('select 1', [])).rejects.toThrow(/unprepared/)
      await expect(worker?.get(TEXT, ['not json'])).rejects.toThrow(/JSON/i)
      expect(worker?.alive).toBe(true)
      expect(await worker?.get(TEXT, ['[2]'])).toEqual({ d: '[2]' })
    } finally {
      worker?.close()
    }
  })

  it('is marked dead when its connection cannot open, and rejects reads (callers read themselves)', async () => {
    const worker = ReadWorker.start(join(dir, 'missing.sqlite'), [TEXT], 1 << 20)
    expect(worker).toBeDefined()
    const read = worker?.get(TEXT, ['[1]'])
    await expect(read).rejects.toThrow()
    expect(worker?.alive).toBe(false)
    await expect(worker?.get(TEXT, ['[1]'])).rejects.toThrow(/not running/)
  })

  it('rejects what is pending when closed', async () => {
    const worker = ReadWorker.start(file, [TEXT], 1 << 20)
    const read = worker?.get(TEXT, ['[1]'])
    worker?.close()
    expect(worker?.alive).toBe(false)
    // Either answered before the close took effect, or rejected: never left hanging.
    await expect(
      Promise.race([
        read?.then(
          () => 'settled',
          () => 'settled',
        ),
        new Promise((r) => setTimeout(() => r('hung'), 5000)),
      ]),
    ).resolves.toBe('settled')
  })
})
