import { describe, expect, it } from 'vitest'
import { parseArgs } from './args.js'

describe('parseArgs', () => {
  it('reads --backfill and --once', () => {
    expect(parseArgs([])).toEqual({})
    expect(parseArgs(['--backfill'])).toEqual({ backfill: true })
    expect(parseArgs(['--backfill', '--once'])).toEqual({ backfill: true, follow: false })
  })
  it('refuses --once alone and unknown arguments', () => {
    expect(parseArgs(['--once'])).toBe('--once needs --backfill')
    expect(parseArgs(['--backfil'])).toBe('unknown argument: --backfil')
  })
})
