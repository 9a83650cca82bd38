import { type AiDonottrainDefs, ids, lexicons, renderVerdict, SCOPE_TYPES } from '@donottrain/lexicon'
import { describe, expect, it } from 'vitest'
import { isStatusView } from './status-view-check.js'

/** A seeded generator (mulberry32), so a failure names a reproducible case. */
function rng(seed: number) {
  let a = seed
  const next = () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T
  const chars = (alphabet: string, n: number) => Array.from({ length: n }, () => pick([...alphabet])).join('')
  return { next, int, pick, chars }
}

const B32 = 'abcdefghijklmnopqrstuvwxyz234567'
const VALUES = ['allow', 'deny', 'unknown']
const cid = (r: ReturnType<typeof rng>) =>
  `bafyrei${r.chars('abcdefgh', 1)}${r.chars(B32, 50)}${r.pick([...'aeimquy4'])}`

function lexiconAccepts(body: unknown): boolean {
  try {
    lexicons.assertValidXrpcOutput(ids.AiDonottrainGetStatus, body)
    return true
  } catch {
    return false
  }
}

/** A statusView as the indexer builds them, with every optional part present or not. */
function answer(r: ReturnType<typeof rng>): AiDonottrainDefs.StatusView {
  const did = r.next() < 0.9 ? `did:plc:${r.chars(B32, 24)}` : `did:web:${r.chars('abcxyz', 6)}.example`
  const time = () => new Date(1_500_000_000_000 + r.int(300_000_000_000)).toISOString()
  const rkey = `3l${r.chars('234567abcdefghij', 11)}`
  const decl = (): AiDonottrainDefs.DeclarationView => {
    const kind = r.int(4)
    const scope =
      kind === 0
        ? { $type: SCOPE_TYPES.account }
        : kind === 1
          ? { $type: SCOPE_TYPES.collection, collection: 'app.bsky.feed.post' }
          : kind === 2
            ? {
                $type: `${ids.AiDonottrainDefs}#recordTarget`,
                uri: `at://${did}/app.bsky.feed.post/${rkey}`,
                ...(r.next() < 0.5 && { cid: cid(r) }),
              }
            : { $type: SCOPE_TYPES.origin, origin: `https://${r.chars('abc', 5)}.example` }
    return {
      $type: `${ids.AiDonottrainDefs}#declarationView`,
      uri: `at://${did}/ai.donottrain.declaration/${r.next() < 0.5 ? 'self' : rkey}`,
      cid: cid(r),
      did,
      source: r.pick(['declaration', 'postTag', 'profileTag', 'userIntents', 'preferenceAi']),
      scope,
      preferences: Object.fromEntries(
        ['trainAi', 'trainGenai', 'aiInput', 'search'].filter(() => r.next() < 0.5).map((k) => [k, r.pick(VALUES)]),
      ),
      ...(kind === 3 && { originVerified: r.next() < 0.5 }),
      ...(r.next() < 0.3 && { statement: 'Please do not train on my posts.'.slice(0, r.int(33)) }),
      ...(r.next() < 0.3 && { licenseUri: 'https://creativecommons.org/licenses/by-nc/4.0/' }),
      rev: `3l${r.chars('234567abcdefghij', 11)}`,
      ...(r.next() < 0.7 && { createdAt: time() }),
      indexedAt: time(),
      ...(r.next() < 0.8 && { logIndex: r.int(1_000_000) }),
    }
  }
  const verdict = {
    trainAi: r.pick(VALUES),
    trainGenai: r.pick(VALUES),
    aiInput: r.pick(VALUES),
    search: r.pick(VALUES),
  } as AiDonottrainDefs.Verdict
  const declarations = Array.from({ length: r.int(4) }, decl)
  return {
    subject: {
      input: r.next() < 0.5 ? did : `at://${did}/app.bsky.feed.post/${rkey}`,
      kind: r.pick(['account', 'record', 'collection', 'blob', 'web']),
      ...(r.next() < 0.9 && { did }),
      ...(r.next() < 0.3 && { handle: `${r.chars('abcxyz', 5)}.bsky.social` }),
      ...(r.next() < 0.5 && { uri: `at://${did}/app.bsky.feed.post/${rkey}`, collection: 'app.bsky.feed.post' }),
      ...(r.next() < 0.1 && { origin: 'https://example.com' }),
    },
    verdict,
    declarations,
    renderings: renderVerdict(verdict as Parameters<typeof renderVerdict>[0]),
    ...(r.next() < 0.8 && { accountActive: r.next() < 0.8 }),
    ...(r.next() < 0.8 && {
      checkpoint: {
        origin: 'indexer.example/donottrain/log',
        size: r.int(2_000_000),
        rootHash: Buffer.from(r.chars(B32, 32)).toString('base64'),
        note: 'indexer.example/donottrain/log\n12\nabc=\n\n— indexer.example abc=\n',
        verifierKey: 'indexer.example/donottrain/log+12345678+AQID',
        createdAt: time(),
      },
      inclusions: declarations.map((d) => ({
        leafIndex: d.logIndex ?? 0,
        treeSize: 1 + r.int(2_000_000),
        leafHash: Buffer.from(r.chars(B32, 32)).toString('base64'),
        hashes: Array.from({ length: r.int(22) }, () => Buffer.from(r.chars(B32, 32)).toString('base64')),
      })),
    }),
    ...(r.next() < 0.1 && { at: time() }),
  }
}

/** Paths to every value inside `v`. */
function paths(v: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof v !== 'object' || v === null) return [at]
  const inner = Object.entries(v).flatMap(([k, x]) => paths(x, [...at, Array.isArray(v) ? Number(k) : k]))
  return [at, ...inner]
}

const BAD_VALUES: unknown[] = [
  null,
  undefined,
  0,
  -1,
  1.5,
  2,
  true,
  '',
  'x',
  'x'.repeat(9000),
  '\ud800',
  [],
  {},
  'did:plc:',
  'at://',
  'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpn',
  '2026-02-30T00:00:00.000Z',
  '2026-01-01T00:00:00Z',
  '2026-01-01 00:00:00.000Z',
  'https://',
  'not a uri',
  'Ñ'.repeat(2000),
]

/** `v` with the value at `path` replaced (a deep copy). */
function mutate(v: unknown, path: Array<string | number>, value: unknown): unknown {
  if (path.length === 0) return value
  const copy = structuredClone(v) as Record<string | number, unknown>
  let node = copy
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>
  const last = path[path.length - 1] as string | number
  if (value === undefined && !Array.isArray(node)) delete node[last]
  else node[last] = value
  return copy
}

describe('isStatusView', () => {
  it('accepts the answers the indexer builds, as the lexicon does', () => {
    const r = rng(1)
    for (let i = 0; i < 1000; i++) {
      const body = answer(r)
      try {
        lexicons.assertValidXrpcOutput(ids.AiDonottrainGetStatus, body)
      } catch (err) {
        throw new Error(`${(err as Error).message} ${JSON.stringify(body)}`)
      }
      expect(isStatusView(body), JSON.stringify(body)).toBe(true)
    }
  })

  it('never accepts what the lexicon refuses, whatever one value is changed to', () => {
    const r = rng(2)
    let refused = 0
    for (let i = 0; i < 60; i++) {
      const body = answer(r)
      for (const path of paths(body)) {
        const values = [...BAD_VALUES, r.chars(B32, 60)]
        for (const value of Array.from({ length: 4 }, () => r.pick(values))) {
          const changed = mutate(body, path, value)
          if (!lexiconAccepts(changed)) {
            refused++
            expect(isStatusView(changed), `${path.join('/')} = ${JSON.stringify(value)?.slice(0, 40)}`).toBe(false)
          }
        }
      }
    }
    expect(refused).toBeGreaterThan(3000)
  }, 120_000)

  it('leaves shapes it does not know to the lexicon (says no; the lexicon may still say yes)', () => {
    const body = answer(rng(3))
    const other = { ...body, declarations: [{ ...(answer(rng(4)).declarations[0] ?? {}), cid: 'bafkqaaa' }] }
    expect(isStatusView(other)).toBe(false)
  })
})
