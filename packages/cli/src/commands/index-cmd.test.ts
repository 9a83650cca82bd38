import { describe, expect, it } from 'vitest'
import { CliError } from '../io.js'
import { loadIndexer } from './index-cmd.js'

describe('loadIndexer', () => {
  it('loads the installed indexer', async () => {
    const mod = await loadIndexer()
    expect(typeof mod.startIndexer).toBe('function')
  })

  it('says how to install it when it is missing, and passes other failures on', async () => {
    const missing = Object.assign(new Error("Cannot find package '@donottrain/indexer' imported from /x"), {
      code: 'ERR_MODULE_NOT_FOUND',
    })
    const err = await loadIndexer(() => Promise.reject(missing)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CliError)
    expect((err as CliError).message).toContain('npm install -g @donottrain/indexer')
    const other = Object.assign(new Error("Cannot find package 'kysely' imported from /x"), {
      code: 'ERR_MODULE_NOT_FOUND',
    })
    await expect(loadIndexer(() => Promise.reject(other))).rejects.toBe(other)
  })
})
