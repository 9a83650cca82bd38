import { describe, expect, it } from 'vitest'
import { buildConfig, ConfigError, DEFAULTS, ENV_KEYS, readEnv } from './config.js'

describe('buildConfig', () => {
  it('defaults to the bsky.network relay and an embedded SQLite file under ./data', () => {
    const cfg = buildConfig({}, '/srv/indexer')
    expect(cfg.firehoseUrl).toBe('wss://bsky.network/xrpc/com.atproto.sync.subscribeRepos')
    expect(cfg.db).toEqual({ dialect: 'sqlite', path: '/srv/indexer/data/indexer.sqlite' })
    expect(cfg.maxFrameBytes).toBe(5 * 1024 * 1024)
    expect(cfg.allowLoopback).toBe(false)
    expect(cfg.maxRevSkewMs).toBe(300_000)
  })
  it('takes a PDS http URL and a postgres URL', () => {
    const cfg = buildConfig({ INDEXER_FIREHOSE_URL: 'http://localhost:2583', INDEXER_DB_URL: 'postgres://u@h/db' })
    expect(cfg.firehoseUrl).toBe('ws://localhost:2583/xrpc/com.atproto.sync.subscribeRepos')
    expect(cfg.db).toEqual({ dialect: 'postgres', url: 'postgres://u@h/db' })
  })
  it.each([
    ['INDEXER_PORT', 'eighty'],
    ['INDEXER_PORT', '70000'],
    ['INDEXER_DB_URL', 'mysql://x'],
    ['INDEXER_DB_URL', 'sqlite:'],
    ['INDEXER_FIREHOSE_URL', 'ftp://relay'],
    ['INDEXER_FIREHOSE_URL', 'not a url'],
    ['INDEXER_ALLOW_LOOPBACK', 'yes'],
    ['INDEXER_LOG_LEVEL', 'loud'],
    ['INDEXER_MAX_FRAME_BYTES', '-1'],
    ['INDEXER_PLC_URL', 'plc.directory'],
    ['INDEXER_PUBLIC_URL', 'indexer.example'],
    ['INDEXER_SIGNING_KEY', 'c2hvcnQ='],
    ['INDEXER_RATE_LIMIT_PER_MINUTE', '-5'],
    ['INDEXER_RESYNC_CONCURRENCY', '0'],
    ['INDEXER_RESYNC_RATE_PER_SECOND', 'fast'],
    ['INDEXER_RESYNC_MAX_REPO_BYTES', '-1'],
    ['INDEXER_BACKFILL_PAGE_SIZE', '5000'],
    ['INDEXER_BACKFILL_URL', 'relay.example'],
    ['INDEXER_ORIGIN_TIMEOUT_SECONDS', '0'],
  ])('rejects %s=%s with a ConfigError naming the variable', (key, value) => {
    expect(() => buildConfig({ [key]: value })).toThrow(ConfigError)
    expect(() => buildConfig({ [key]: value })).toThrow(key)
  })
  it('builds the resync, backfill and origin settings with their defaults', () => {
    const cfg = buildConfig({})
    expect(cfg.resync).toMatchObject({
      concurrency: 4,
      maxRepoBytes: 32 * 1024 * 1024,
      minBackoffMs: 2000,
      sweepMs: 600_000,
    })
    expect(cfg.backfill).toEqual({ url: null, pageSize: 500 })
    expect(cfg.origin).toEqual({ concurrency: 4, timeoutMs: 5000, queueSize: 10_000 })
    expect(buildConfig({ INDEXER_BACKFILL_URL: 'https://relay.example/' }).backfill.url).toBe('https://relay.example')
    expect(() =>
      buildConfig({ INDEXER_RESYNC_MIN_BACKOFF_SECONDS: '60', INDEXER_RESYNC_MAX_BACKOFF_SECONDS: '10' }),
    ).toThrow('INDEXER_RESYNC_MAX_BACKOFF_SECONDS')
  })
  it('takes a signing key without ever echoing it in an error', () => {
    const seed = Buffer.alloc(32, 7).toString('base64')
    expect(buildConfig({ INDEXER_SIGNING_KEY: seed }).signingKey).toBe(seed)
    const bad = `${seed.slice(0, -2)}!=`
    expect(() => buildConfig({ INDEXER_SIGNING_KEY: bad })).toThrow(/value not shown/)
    try {
      buildConfig({ INDEXER_SIGNING_KEY: bad })
    } catch (err) {
      expect((err as Error).message).not.toContain(bad)
    }
  })
  it('reads only INDEXER_* variables, ignoring empty ones', () => {
    expect(readEnv({ INDEXER_PORT: '1', INDEXER_HOST: '', HOME: '/root' })).toEqual({ INDEXER_PORT: '1' })
  })
  it('documents every variable in .env.example and the README', async () => {
    const { readFile } = await import('node:fs/promises')
    const example = await readFile(new URL('../.env.example', import.meta.url), 'utf8')
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8')
    for (const key of ENV_KEYS) {
      expect(example).toContain(`${key}=${DEFAULTS[key]}`)
      expect(readme).toContain(key)
    }
  })
})
