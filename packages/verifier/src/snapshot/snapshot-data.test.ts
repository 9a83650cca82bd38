import { type Purpose, parseSubject, type Verdict, type VerdictSubject, verdictFor } from '@donottrain/lexicon'
import { describe, expect, it } from 'vitest'
import { encodeSnapshot, SnapshotEncoder } from './encode.js'
import type { SnapshotDeclaration } from './entry.js'
import { FOOTER_BYTES } from './format.js'
import type { SnapshotManifest } from './manifest.js'
import { SnapshotChecker } from './snapshot-checker.js'
import { SnapshotData } from './snapshot-data.js'

const A = 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa'
const B = 'did:web:b.example'
const C = 'did:web:b.example.com' // a DID that extends another: uri order is not DID order
const POST = 'app.bsky.feed.post'
const DECL = 'ai.donottrain.declaration'
const CID = 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm'

let seq = 0
const d = (
  did: string,
  rkey: string,
  scope: SnapshotDeclaration['scope'],
  preferences: Record<string, string>,
  extra: Partial<SnapshotDeclaration> = {},
): SnapshotDeclaration => ({
  uri: `at://${did}/${DECL}/${rkey}`,
  did,
  cid: CID,
  rev: '3l3qo2vutsw2b',
  source: 'declaration',
  scope,
  preferences,
  indexedAt: '2026-01-01T00:00:00.000Z',
  seq: ++seq,
  logIndex: seq - 1,
  ...extra,
})

/** Every field form the encoder has a special case for, and the plain ones. */
const DECLS: SnapshotDeclaration[] = [
  d(
    A,
    'self',
    { type: 'account' },
    { trainAi: 'deny' },
    { statement: 'no, thank you ✋', createdAt: '2026-01-01T00:00:00Z' },
  ),
  d(A, '3l3qo2vuts222', { type: 'collection', collection: POST }, { search: 'deny', future: 'maybe' }),
  d(A, '3l3qo2vuts223', { type: 'record', uri: `at://${A}/${POST}/3kpost`, cid: CID }, { aiInput: 'deny' }),
  d(A, '3l3qo2vuts224', { type: 'record', uri: `at://${B}/${POST}/3kother` }, { trainGenai: 'deny' }),
  d(A, '3l3qo2vuts225', { type: 'origin', origin: 'https://a.example', verified: true }, { aiInput: 'deny' }),
  d(A, '3l3qo2vuts228', { type: 'record', uri: `at://${A}/${POST}/3l3qo2vutsw2b` }, { search: 'deny' }),
  d(
    A,
    'zz-not-a-tid',
    { type: 'account' },
    { search: 'allow' },
    { logIndex: undefined, licenseUri: 'https://l.example/x' },
  ),
  d(
    B,
    'self',
    { type: 'account' },
    { search: 'allow' },
    { cid: 'QmNotBase32', rev: 'not-a-tid', indexedAt: '2026-01-01T00:00:00Z' },
  ),
  d(B, '3l3qo2vuts226', { type: 'origin', origin: 'https://a.example', verified: true }, { trainAi: 'deny' }),
  d(B, '3l3qo2vuts227', { type: 'origin', origin: 'https://b.example', verified: false }, { trainAi: 'deny' }),
  d(C, 'self', { type: 'account' }, {}, { cid: 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku' }),
].map((x) => {
  if (x.logIndex === undefined) delete x.logIndex
  return x
})
DECLS.sort((x, y) => (x.uri < y.uri ? -1 : 1))

const checkerOf = (decls: SnapshotDeclaration[]) => {
  const data = SnapshotData.open(encodeSnapshot(decls), decls.length)
  if (!data.ok) throw data.error
  return new SnapshotChecker({ manifest: {} as SnapshotManifest, data: data.value })
}

/** The previous implementation's answer: parseSubject, then verdictFor over plain lists. */
function reference(decls: SnapshotDeclaration[], input: string, purpose: Purpose, handles: Map<string, string>) {
  const p = parseSubject(input)
  if (!p.ok) return { error: 'InvalidSubject' }
  const s = p.value
  let vs: VerdictSubject
  if (s.kind === 'web') vs = { kind: 'web', origin: s.origin }
  else {
    const did = 'did' in s.actor ? s.actor.did : handles.get(s.actor.handle)
    if (did === undefined) return { error: 'UnresolvableSubject' }
    vs =
      s.kind === 'record'
        ? { kind: 'record', did, collection: s.collection, rkey: s.rkey }
        : s.kind === 'collection'
          ? { kind: 'collection', did, collection: s.collection }
          : { kind: 'account', did }
  }
  const candidates = decls.filter((x) => (vs.kind === 'web' ? x.scope.type === 'origin' : x.scope.type !== 'origin'))
  const { verdict, applied } = verdictFor(vs, candidates)
  return { verdict: verdict[purpose], verdicts: verdict as Verdict, applied }
}

describe('SnapshotEncoder and SnapshotData', () => {
  it('round-trips every declaration exactly', () => {
    const checker = checkerOf(DECLS)
    expect(checker.count).toBe(DECLS.length)
    for (const did of [A, B, C]) {
      expect(checker.declarationsOf(did)).toEqual(DECLS.filter((x) => x.did === did && x.scope.type !== 'origin'))
    }
    const web = checker.check('https://a.example/page')
    expect(web.ok && web.value.declarations).toEqual(DECLS.filter((x) => x.scope.type === 'origin' && x.scope.verified))
    expect(checker.declarationsOf('did:plc:nobody')).toEqual([])
  })

  it('answers exactly as parseSubject + verdictFor over the declarations', () => {
    const checker = checkerOf(DECLS)
    const handles = new Map([['a.test', A]])
    const subjects = [
      A,
      B,
      C,
      'did:web:b',
      'did:plc:nobody',
      'did:PLC:bad',
      'did:plc:',
      'did:plc:x%',
      `at://${A}`,
      `at://${A}/${POST}`,
      `at://${A}/${POST}/3kpost`,
      `at://${A}/${POST}/3kother`,
      `at://${A}/${POST}/3l3qo2vutsw2b`,
      `at://${A}/${POST}/3l3qo2vutsw2c`,
      `at://${A}/${POST}/2l3qo2vutsw2b`,
      'https://a.example',
      'http://a.example/x',
      'https://b.example:8443/',
      `at://${B}/${POST}/3kother`,
      `at://${A}/app.bsky.feed.like/3kpost`,
      `at://${A}/${POST}/3kpost/extra`,
      `at://${A}/${POST}/`,
      `at://${A}/`,
      `at://${A}/not-an-nsid`,
      `at://${A}/${POST}/..`,
      `at://${A}/${POST}/a b`,
      `at://did:plc:nobody/${POST}/x`,
      'at://a.test/app.bsky.feed.post/3kpost',
      'a.test',
      '@A.test',
      'unknown.test',
      'https://a.example/',
      'https://A.example:443/x',
      'https://b.example/',
      'https://bsky.app/profile/a.test/post/3kpost',
      `https://bsky.app/profile/${A}`,
      'not a subject',
      '',
    ]
    for (const purpose of ['trainAi', 'search', 'aiInput', 'trainGenai'] as const) {
      for (const s of subjects) {
        const mine = checker.check(s, { purpose, handles })
        const ref = reference(DECLS, s, purpose, handles)
        if (!mine.ok) {
          expect(mine.error.code, s).toBe(ref.error)
          continue
        }
        expect(ref.error, s).toBeUndefined()
        expect(mine.value.verdict, s).toBe(ref.verdict)
        expect(mine.value.verdicts, s).toEqual(ref.verdicts)
        expect(mine.value.allowed, s).toBe(ref.verdict !== 'deny')
        expect(mine.value.declarations, s).toEqual(ref.applied)
      }
    }
    const sub = checker.check(`at://${A}/${POST}/3kpost`)
    expect(sub.ok && sub.value.subject).toEqual({
      input: `at://${A}/${POST}/3kpost`,
      kind: 'record',
      did: A,
      collection: POST,
      rkey: '3kpost',
      uri: `at://${A}/${POST}/3kpost`,
    })
  })

  it('encodes an empty snapshot, and refuses unsorted or foreign declarations', () => {
    const empty = SnapshotData.open(encodeSnapshot([]), 0)
    expect(empty.ok).toBe(true)
    const one = DECLS[0] as SnapshotDeclaration
    expect(() => encodeSnapshot([one, one])).toThrow(/sorted/)
    expect(() => encodeSnapshot([{ ...one, uri: `at://${B}/${DECL}/self` }])).toThrow(/uri/)
    expect(() => encodeSnapshot([{ ...one, did: 'not-a-did', uri: `at://not-a-did/${DECL}/self` }])).toThrow(/did/)
    const enc = new SnapshotEncoder()
    enc.finish()
    expect(() => enc.push(one)).toThrow(/finished/)
  })
})

describe('SnapshotData.open on hostile bytes (a signer that wrote garbage)', () => {
  const good = encodeSnapshot(DECLS)
  const subjects = [
    A,
    B,
    C,
    `at://${A}/${POST}`,
    `at://${A}/${POST}/3kpost`,
    'https://a.example/',
    'https://b.example/',
  ]

  /** Opening never throws; a file that opens answers everything without throwing. */
  function survives(bytes: Uint8Array, count = DECLS.length): boolean {
    const data = SnapshotData.open(bytes, count)
    if (!data.ok) {
      expect(data.error.name).toBe('SnapshotError')
      expect(['data-malformed', 'count-mismatch']).toContain(data.error.code)
      return false
    }
    const checker = new SnapshotChecker({ manifest: {} as SnapshotManifest, data: data.value })
    for (const s of subjects) {
      const r = checker.check(s)
      if (r.ok) void r.value.declarations.length
    }
    for (const did of [A, B, C]) checker.declarationsOf(did)
    return true
  }

  it('rejects every truncation and extension', () => {
    for (let n = 0; n < good.length; n++) expect(survives(good.subarray(0, n))).toBe(false)
    expect(survives(new Uint8Array([...good, 0, 0, 0, 0]))).toBe(false)
  })

  it('never throws or reads out of bounds with a bit flipped anywhere', () => {
    let opened = 0
    for (let i = 0; i < good.length; i++) {
      for (const bit of [0, 1, 4, 7]) {
        const bytes = good.slice()
        bytes[i] = (bytes[i] as number) ^ (1 << bit)
        if (survives(bytes)) opened++
      }
    }
    // Flips inside values (a TID, a digest, a date, a statement) still make a well-formed file.
    expect(opened).toBeGreaterThan(0)
  })

  it('rejects bad counts, offsets and hash tables in the footer', () => {
    const footer = good.length - FOOTER_BYTES
    const withWord = (word: number, value: number) => {
      const bytes = good.slice()
      new DataView(bytes.buffer).setUint32(footer + 4 * word, value, true)
      return bytes
    }
    expect(survives(good, DECLS.length + 1)).toBe(false) // count-mismatch
    for (const word of [0, 1, 2, 3, 4, 5, 6]) {
      for (const value of [0, 1, 7, 0xffffffff, 0x7fffffff]) survives(withWord(word, value))
    }
    expect(survives(withWord(1, 0))).toBe(false) // no accounts for declarations
  })

  it('rejects a hash table that names an account twice, and accounts out of order', () => {
    const X = 'did:plc:xxxxxxxxxxxxxxxxxxxxxxxx'
    const pair = [d(A, 'self', { type: 'account' }, { trainAi: 'deny' }), d(X, 'self', { type: 'account' }, {})]
    const bytes = encodeSnapshot(pair)
    const v = new DataView(bytes.buffer, bytes.byteOffset)
    const word = (i: number) => v.getUint32(bytes.length - FOOTER_BYTES + 4 * i, true)
    const align = (x: number) => Math.ceil(x / 4) * 4
    const declOff = align(8 + word(4))
    const didsOff = declOff + 12 * (word(1) + 1)
    const slotsOff = align(didsOff + word(5))
    expect(survives(bytes, 2)).toBe(true)

    const twice = bytes.slice()
    const tv = new DataView(twice.buffer)
    for (let i = 0; i < word(2); i++) {
      if (tv.getUint32(slotsOff + 4 * i, true) === 2) tv.setUint32(slotsOff + 4 * i, 1, true)
    }
    expect(survives(twice, 2)).toBe(false)

    const swapped = bytes.slice()
    swapped.set(bytes.subarray(didsOff + A.length, didsOff + 2 * A.length), didsOff)
    swapped.set(bytes.subarray(didsOff, didsOff + A.length), didsOff + A.length)
    expect(survives(swapped, 2)).toBe(false)
  })
})
