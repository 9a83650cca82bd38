import { createHash } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signCheckpoint } from '../tlog/checkpoint.js'
import { MemoryTree } from '../tlog/memory-tree.js'
import { generateNoteKey, type NoteSigner, parseSignerKey } from '../tlog/note-key.js'
import { encodeSnapshot } from './encode.js'
import type { SnapshotDeclaration } from './entry.js'
import type { SnapshotErrorCode } from './errors.js'
import { manifestPathOf, type SnapshotSource } from './load.js'
import { SNAPSHOT_FORMAT, type SnapshotManifest, signManifest } from './manifest.js'
import { SnapshotChecker } from './snapshot-checker.js'

const ORIGIN = 'indexer.test/donottrain/log'
const ALICE = 'did:plc:aliceaaaaaaaaaaaaaaaaaaa'
const BOB = 'did:plc:bobbbbbbbbbbbbbbbbbbbbbb'
const POST = 'app.bsky.feed.post'
const DECL = 'ai.donottrain.declaration'

const decl = (
  did: string,
  rkey: string,
  scope: SnapshotDeclaration['scope'],
  prefs: Record<string, string>,
  seq: number,
) =>
  ({
    uri: `at://${did}/${DECL}/${rkey}`,
    did,
    cid: 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm',
    rev: '3l3qo2vutsw2b',
    source: 'declaration',
    scope,
    preferences: prefs,
    indexedAt: '2026-01-01T00:00:00.000Z',
    seq,
    logIndex: seq - 1,
  }) satisfies SnapshotDeclaration

const DECLS: SnapshotDeclaration[] = [
  decl(ALICE, 'self', { type: 'account' }, { trainAi: 'deny' }, 1),
  decl(ALICE, '3l3qo2vuts222', { type: 'collection', collection: POST }, { search: 'deny' }, 2),
  decl(
    ALICE,
    '3l3qo2vuts223',
    { type: 'origin', origin: 'https://alice.example', verified: true },
    { aiInput: 'deny' },
    3,
  ),
  decl(BOB, '3l3qo2vuts224', { type: 'record', uri: `at://${BOB}/${POST}/3kpost` }, { trainAi: 'deny' }, 4),
  decl(
    BOB,
    '3l3qo2vuts225',
    { type: 'origin', origin: 'https://bob.example', verified: false },
    { trainAi: 'deny' },
    5,
  ),
  decl(BOB, 'self', { type: 'account' }, { search: 'allow' }, 6),
].sort((a, b) => (a.uri < b.uri ? -1 : 1))

let signer: NoteSigner
let other: NoteSigner
let verifierKey: string
let tree: MemoryTree
let checkpoint: string

async function build(
  over: { data?: Uint8Array; manifest?: Partial<SnapshotManifest>; signer?: NoteSigner } = {},
): Promise<{ dataBytes: Uint8Array; manifestText: string }> {
  const data = over.data ?? encodeSnapshot(DECLS)
  const m: SnapshotManifest = {
    origin: ORIGIN,
    size: tree.size,
    rootHash: tree.rootAt(),
    checkpoint,
    format: SNAPSHOT_FORMAT,
    dataSha256: new Uint8Array(createHash('sha256').update(data).digest()),
    dataBytes: data.length,
    count: DECLS.length,
    createdAt: '2026-01-01T00:00:00.000Z',
    ...over.manifest,
  }
  return { dataBytes: data, manifestText: await signManifest(m, over.signer ?? signer) }
}

async function rejected(source: SnapshotSource, code: SnapshotErrorCode, opts: object = {}) {
  const opened = await SnapshotChecker.open(source, { verifierKey, ...opts })
  expect(opened.ok).toBe(false)
  if (!opened.ok) {
    expect(opened.error.name).toBe('SnapshotError')
    expect(opened.error.code).toBe(code)
  }
}

beforeAll(async () => {
  const keys = await generateNoteKey(ORIGIN)
  const parsed = await parseSignerKey(keys.signerKey)
  if (!parsed.ok) throw parsed.error
  signer = parsed.value
  verifierKey = keys.verifierKey
  const otherKeys = await generateNoteKey(ORIGIN)
  const otherParsed = await parseSignerKey(otherKeys.signerKey)
  if (!otherParsed.ok) throw otherParsed.error
  other = otherParsed.value
  tree = new MemoryTree()
  for (let i = 0; i < 6; i++) tree.append(Uint8Array.of(i))
  checkpoint = await signCheckpoint(
    { origin: ORIGIN, size: tree.size, rootHash: tree.rootAt(), extensions: [] },
    signer,
  )
})

describe('SnapshotChecker.open', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'donottrain-snap-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('opens a verified snapshot from files and from bytes', async () => {
    const built = await build()
    const path = join(dir, 'ok.bin')
    await writeFile(path, built.dataBytes)
    await writeFile(manifestPathOf(path), built.manifestText)
    for (const source of [path, built] as SnapshotSource[]) {
      const opened = await SnapshotChecker.open(source, { verifierKey })
      if (!opened.ok) throw opened.error
      expect(opened.value.count).toBe(DECLS.length)
      expect(opened.value.checkpoint.size).toBe(6)
      expect(opened.value.checkpoint.note).toBe(checkpoint)
    }
  })

  it('rejects a tampered data file', async () => {
    const built = await build()
    const data = built.dataBytes.slice()
    data[data.length - 10] = (data[data.length - 10] as number) ^ 1
    await rejected({ ...built, dataBytes: data }, 'data-hash-mismatch')
    await rejected({ ...built, dataBytes: built.dataBytes.slice(0, -1) }, 'data-hash-mismatch')
    await rejected({ ...built, dataBytes: new Uint8Array([...built.dataBytes, 0]) }, 'data-hash-mismatch')
  })

  it('rejects a tampered or foreign manifest', async () => {
    const built = await build()
    await rejected(
      { ...built, manifestText: built.manifestText.replace('\ncount 6\n', '\ncount 5\n') },
      'manifest-signature',
    )
    await rejected(await build({ signer: other }), 'manifest-signature')
    await rejected({ ...built, manifestText: 'not a note' }, 'manifest-malformed')
    await rejected(built, 'origin-mismatch', { origin: 'other.test/donottrain/log' })
    await rejected(built, 'manifest-signature', { verifierKey: (await generateNoteKey(ORIGIN)).verifierKey })
  })

  it('rejects a checkpoint that is not the manifest binding, or not signed by the key', async () => {
    const grown = new MemoryTree()
    for (let i = 0; i < 7; i++) grown.append(Uint8Array.of(i))
    const seven = await signCheckpoint({ origin: ORIGIN, size: 7, rootHash: grown.rootAt(), extensions: [] }, signer)
    await rejected(await build({ manifest: { checkpoint: seven } }), 'checkpoint-mismatch')
    await rejected(await build({ manifest: { rootHash: grown.rootAt(6 - 1) } }), 'checkpoint-mismatch')
    const forged = await signCheckpoint({ origin: ORIGIN, size: 6, rootHash: tree.rootAt(), extensions: [] }, other)
    await rejected(await build({ manifest: { checkpoint: forged } }), 'checkpoint-invalid')
    await rejected(
      await build({ manifest: { checkpoint: checkpoint.replace('\n6\n', '\n5\n') } }),
      'checkpoint-invalid',
    )
  })

  it('rejects data that is miscounted, malformed or too large, even when signed', async () => {
    await rejected(await build({ data: encodeSnapshot(DECLS.slice(1)) }), 'count-mismatch')
    await rejected(await build({ data: new TextEncoder().encode('{"uri":1}\n') }), 'data-malformed')
    await rejected(await build({ data: Uint8Array.of(1, 2, 3) }), 'data-malformed')
    // A signer that wrote garbage: the hash binds it, the structure check still refuses it.
    const garbage = encodeSnapshot(DECLS)
    garbage[8] = 7 // the first record's kind: no such scope
    await rejected(await build({ data: garbage }), 'data-malformed')
    await rejected(await build({ data: garbage.subarray(0, garbage.length - 1) }), 'data-malformed')
    await rejected(await build(), 'too-large', { maxDeclarations: 3 })
    await rejected(await build(), 'too-large', { maxDataBytes: 10 })
  })

  it('opens bytes at any offset of their buffer', async () => {
    const built = await build()
    const shifted = new Uint8Array(built.dataBytes.length + 1)
    shifted.set(built.dataBytes, 1)
    const opened = await SnapshotChecker.open({ ...built, dataBytes: shifted.subarray(1) }, { verifierKey })
    expect(opened.ok && opened.value.check(ALICE).ok).toBe(true)
  })

  it('reads a file longer than the manifest says only to one byte past it', async () => {
    const built = await build()
    const path = join(dir, 'long.bin')
    await writeFile(path, new Uint8Array([...built.dataBytes, 1, 2, 3]))
    await writeFile(manifestPathOf(path), built.manifestText)
    await rejected(path, 'data-hash-mismatch')
    await rejected(join(dir, 'missing.bin'), 'unreadable')
  })
})

describe('SnapshotChecker.check', () => {
  let checker: SnapshotChecker
  beforeAll(async () => {
    const opened = await SnapshotChecker.open(await build(), { verifierKey })
    if (!opened.ok) throw opened.error
    checker = opened.value
  })

  it('answers every subject kind with the shared verdict model', () => {
    const v = (input: string, purpose?: 'search' | 'aiInput') => {
      const r = checker.check(input, purpose ? { purpose } : {})
      if (!r.ok) throw r.error
      return r.value
    }
    expect(v(ALICE).verdicts).toEqual({ trainAi: 'deny', trainGenai: 'deny', aiInput: 'unknown', search: 'unknown' })
    expect(v(`at://${ALICE}/${POST}`, 'search').verdict).toBe('deny')
    expect(v(`at://${ALICE}/${POST}/3kabc`, 'search')).toMatchObject({
      verdict: 'deny',
      allowed: false,
      basis: 'snapshot',
    })
    expect(
      v(`at://${ALICE}/${POST}/3kabc`)
        .declarations.map((d) => d.scope.type)
        .sort(),
    ).toEqual(['account', 'collection'])
    expect(v(`at://${BOB}/${POST}/3kpost`).verdicts).toMatchObject({ trainAi: 'deny', search: 'allow' })
    expect(v(`at://${BOB}/${POST}/3kother`).verdicts).toMatchObject({ trainAi: 'unknown', search: 'allow' })
    expect(v('https://alice.example/a/page', 'aiInput')).toMatchObject({ verdict: 'deny', subject: { kind: 'web' } })
    expect(v('https://bob.example/').verdict).toBe('unknown') // unverified origin
    expect(v('did:plc:nobodyaaaaaaaaaaaaaaaaaa').verdict).toBe('unknown')
  })

  it('needs handles resolved, and rejects non-subjects', async () => {
    const h = checker.check('alice.test')
    expect(h.ok || h.error.code).toBe('UnresolvableSubject')
    const known = checker.check('@Alice.test', { handles: new Map([['alice.test', ALICE]]) })
    expect(known.ok && known.value).toMatchObject({ verdict: 'deny', subject: { did: ALICE, handle: 'alice.test' } })
    const bad = checker.check('not a subject')
    expect(bad.ok || bad.error.code).toBe('InvalidSubject')
    const all = await checker.checkAll(['alice.test', ALICE], { resolveHandle: async () => ALICE })
    expect(all.map((r) => r.ok && r.value.verdict)).toEqual(['deny', 'deny'])
  })
})
