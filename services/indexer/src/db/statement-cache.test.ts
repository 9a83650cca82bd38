import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { cachingStatements } from './statement-cache.js'

describe('cachingStatements', () => {
  it('prepares each SQL text once', () => {
    const db = cachingStatements(new Database(':memory:'))
    const a = db.prepare('select 1 as x')
    expect(db.prepare('select 1 as x')).toBe(a)
    expect(db.prepare('select 2 as x')).not.toBe(a)
    db.close()
  })

  it('gives a fresh statement while the cached one is still iterating', () => {
    const raw = new Database(':memory:')
    raw.exec('create table t (v integer); insert into t values (1), (2), (3)')
    const db = cachingStatements(raw)
    const outer = db.prepare('select v from t order by v')
    const seen: number[] = []
    for (const row of outer.iterate() as Iterable<{ v: number }>) {
      const inner = db.prepare('select v from t order by v')
      expect(inner).not.toBe(outer)
      seen.push(row.v, (inner.all() as Array<{ v: number }>).length)
    }
    expect(seen).toEqual([1, 3, 2, 3, 3, 3])
    db.close()
  })

  it('keeps at most `max` statements, dropping the least recently used', () => {
    const db = cachingStatements(new Database(':memory:'), 2)
    const one = db.prepare('select 1')
    const two = db.prepare('select 2')
    expect(db.prepare('select 1')).toBe(one)
    db.prepare('select 3') // evicts `select 2`, the least recently used
    expect(db.prepare('select 1')).toBe(one)
    expect(db.prepare('select 2')).not.toBe(two)
    db.close()
  })
})
