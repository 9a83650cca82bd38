import { mkdtempSync, rmSync } from 'node:fs'
import type { Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ids } from '@donottrain/lexicon'
import { formatVerifierKey, generateNoteKey, parseSignerKey } from '@donottrain/verifier'
import type { Kysely } from 'kysely'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Db, openDb } from '../db/db.js'
import { Queries } from '../db/queries.js'
import { Metrics } from '../metrics.js'
import { Checkpointer } from '../tlog/checkpointer.js'
import { LogStore } from '../tlog/log-store.js'
import type { LogSchema } from '../tlog/schema.js'
import { onlySubject } from './fast-path.js'
import { type Api, createApi } from './index.js'
import { createHttpServer, listen } from './server.js'
import { serviceIdentity } from './service-identity.js'
import { did, ORIGIN, seed } from './test-support.js'

const SQLISH = "x' OR 1=1; DROP TABLE declaration; --"

describe('onlySubject', () => {
  it('takes one plain subject parameter and nothing else', () => {
    expect(onlySubject('/x?subject=did%3Aplc%3Aabc')).toBe('did:plc:abc')
    expect(onlySubject('/x?subject=a+b')).toBe('a b')
    for (const url of [
      '/x',
      '/x?',
      '/x?subject=',
      '/x?subject=a&',
      '/x?subject=a&at=b',
      '/x?subject=%E0%A4%A',
      '/x?subject[]=a',
      `/x?subject=${'a'.repeat(8193)}`,
    ]) {
      expect(onlySubject(url), url).toBeUndefined()
    }
  })
})

/** The same requests through the fast path and, varied so they do not qualify, through xrpc-server. */
describe('getStatus and checkSubjects fast path', () => {
  let dir: string
  let db: Db
  let server: Server
  let api: Api
  let base: string
  const metrics = new Metrics()

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'donottrain-fast-'))
    db = openDb({ dialect: 'sqlite', path: join(dir, 'store.sqlite') })
    await db.migrateToLatest()
    const log = new LogStore(db.kysely as unknown as Kysely<LogSchema>)
    await seed(db, log)
    const origin = 'indexer.test/donottrain/log'
    const keys = await generateNoteKey(origin)
    const signer = await parseSignerKey(keys.signerKey)
    if (!signer.ok) throw signer.error
    const checkpointer = new Checkpointer({ log, signer: signer.value, origin, intervalMs: 60_000, onError: () => {} })
    const routes: NonNullable<Parameters<typeof createHttpServer>[0]['routes']> = []
    const logger = pino({ level: 'silent' })
    server = createHttpServer({ metrics, log: logger, checkDb: async () => {}, routes })
    const port = await listen(server, 0, '127.0.0.1')
    base = `http://127.0.0.1:${port}`
    const identity = await serviceIdentity(new Uint8Array(32).fill(7), base)
    api = createApi(
      {
        queries: new Queries(db.kysely),
        lookupHandles: async (handles) => new Map(handles.map((h) => [h, h === 'user3.example' ? did(3) : null])),
        identity,
        metrics,
        log: logger,
        feed: { publisherDid: null, rkey: 'donottrain' },
        pollMs: 250,
        subscriberHighWaterMark: 1024 * 1024,
        tlog: { store: log, checkpointer, origin, verifierKey: formatVerifierKey(origin, identity.publicKey) },
      },
      { corsOrigin: '*', rateLimitPerMinute: 0 },
    )
    routes.push(...api.routes)
  }, 60_000)
  afterAll(async () => {
    await api?.close()
    await new Promise((resolve) => server?.close(resolve))
    await db?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const answer = async (res: Response) => ({
    status: res.status,
    type: res.headers.get('content-type'),
    cors: res.headers.get('access-control-allow-origin'),
    body: await res.json(),
  })
  const getStatus = (subject: string, slow: boolean) =>
    fetch(`${base}/xrpc/${ids.AiDonottrainGetStatus}?subject=${encodeURIComponent(subject)}${slow ? '&' : ''}`).then(
      answer,
    )
  const checkSubjects = (body: string, slow: boolean) =>
    fetch(`${base}/xrpc/${ids.AiDonottrainCheckSubjects}`, {
      method: 'POST',
      // Upper-case UTF-8 is not one of the fast path's spellings: xrpc-server takes it.
      headers: { 'content-type': slow ? 'application/json; charset=UTF-8' : 'application/json' },
      body,
    }).then(answer)

  it('answers getStatus as xrpc-server does, errors included', async () => {
    const subjects = [
      ...Array.from({ length: 30 }, (_, i) => did(i)),
      `at://${did(2)}/app.bsky.feed.post/3l3qo2vutsaab`,
      `at://${did(6)}/app.bsky.feed.post`,
      'user3.example',
      'nobody.example',
      `${ORIGIN}/post.html`,
      SQLISH,
      `did:plc:${'a'.repeat(9000)}`,
      'x'.repeat(100 * 1024),
    ]
    const before = metrics.total('donottrain_api_requests_total')
    for (const subject of subjects) {
      const fast = await getStatus(subject, false)
      const slow = await getStatus(subject, true)
      expect(fast, subject.slice(0, 60)).toEqual(slow)
      expect(fast.cors).toBe('*')
    }
    expect(metrics.total('donottrain_api_requests_total') - before).toBe(subjects.length * 2)
    expect((await getStatus(SQLISH, false)).body.error).toBe('InvalidSubject')
    expect((await getStatus('x'.repeat(100 * 1024), false)).body.error).toBe('InvalidRequest')
  })

  it('answers checkSubjects as xrpc-server does, errors included', async () => {
    const bodies: unknown[] = [
      { subjects: [did(1), did(2), 'not a subject', 'user3.example', `${ORIGIN}/x`, did(1)] },
      { subjects: Array.from({ length: 1000 }, (_, i) => did(i % 40)), logProofs: true },
      { subjects: Array.from({ length: 1001 }, () => did(1)) },
      { subjects: [] },
      { subjects: [1, 2] },
      { subjects: 'not-an-array' },
      { subjects: [SQLISH, null] },
      { subjects: ['x'.repeat(100 * 1024)] },
      { subjects: [did(4)], logProofs: 'yes' },
      { subjects: [did(4)], extra: { $link: 'nope' } },
      { nothing: true },
      [did(1)],
    ]
    for (const body of bodies) {
      const text = JSON.stringify(body)
      const fast = await checkSubjects(text, false)
      const slow = await checkSubjects(text, true)
      expect(fast, text.slice(0, 60)).toEqual(slow)
    }
    const tooMany = await checkSubjects(JSON.stringify(bodies[2]), false)
    expect(tooMany).toMatchObject({ status: 400, body: { error: 'TooManySubjects' } })
    for (const text of [
      '{"subjects": [',
      '"did:plc:abc"',
      '  null',
      ' ',
      'nope',
      '\ufeff{"subjects":["did:plc:abc"]}',
    ]) {
      expect(await checkSubjects(text, false), text).toEqual(await checkSubjects(text, true))
    }
    expect(await checkSubjects('{"subjects": [', false)).toMatchObject({ status: 400, body: { error: 'SyntaxError' } })
  })
})
