import { decode as decodeCbor, encode as encodeCbor, toBytes, toCidLink } from '@atcute/cbor'
import { decode as decodeCid } from '@atcute/cid'
import { P256Keypair, Secp256k1Keypair } from '@atproto/crypto'
import { MemoryBlockstore, Repo, WriteOpAction } from '@atproto/repo'
import { describe, expect, it } from 'vitest'
import { parseDidKey } from '../crypto/index.js'
import { cidFromString } from '../mst/index.js'
import { decodeCommit, unsignedCommitBytes, verifyCommitSignature } from './commit.js'
import { readCommitLayout, spliceOutSig } from './commit-layout.js'

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'
const DATA = 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm'

/** The unsigned bytes as they were computed before the splice: decode, drop sig, encode again. */
function reencoded(bytes: Uint8Array): Uint8Array {
  const { sig: _sig, ...unsigned } = decodeCbor(bytes) as Record<string, unknown>
  return encodeCbor(unsigned)
}

const link = (cid: string) => toCidLink(decodeCid(cidFromString(cid) as Uint8Array))

function handBuilt(overrides: Record<string, unknown> = {}) {
  return {
    did: DID,
    version: 3,
    data: link(DATA),
    rev: '3jzfcijpj2z2a',
    prev: null,
    sig: toBytes(new Uint8Array(64)),
    ...overrides,
  }
}

/** CBOR text in shortest form (below 256 bytes). */
const text = (s: string) => [...(s.length < 24 ? [0x60 + s.length] : [0x78, s.length]), ...Buffer.from(s)]

describe('readCommitLayout and the spliced unsigned bytes', () => {
  it('equal the re-encoding for commits of @atproto/repo repositories (both curves)', async () => {
    for (const create of [() => Secp256k1Keypair.create(), () => P256Keypair.create()]) {
      for (let i = 0; i < 8; i++) {
        const keypair = await create()
        const storage = new MemoryBlockstore()
        let repo = await Repo.create(storage, DID, keypair)
        for (let j = 0; j <= i; j++) {
          repo = await repo.applyWrites(
            [
              {
                action: WriteOpAction.Create,
                collection: 'app.bsky.feed.post',
                rkey: `3k${j}aaaaaaaaaa`,
                record: { text: 'x'.repeat(j * 30) },
              },
            ],
            keypair,
          )
        }
        const bytes = storage.blocks.get(repo.cid) as Uint8Array
        const layout = readCommitLayout(bytes)
        if (layout === undefined) throw new Error('canonical commit not read')
        expect(spliceOutSig(bytes, layout.sigStart, layout.sigEnd)).toEqual(reencoded(bytes))
        const commit = decodeCommit(bytes)
        if (!commit.ok) throw commit.error
        expect(unsignedCommitBytes(commit.value)).toEqual(reencoded(bytes))
        const key = parseDidKey(keypair.did())
        if (!key.ok) throw key.error
        expect(verifyCommitSignature(commit.value, key.value)).toBe(true)
      }
    }
  })

  it('equal the re-encoding across field lengths (text and bytes heads of 1, 2 and 3 bytes)', () => {
    const dids = [DID, `did:web:${'a'.repeat(20)}.example`, `did:web:${'b'.repeat(300)}.example`]
    const cases = [0, 1, 23, 24, 64, 255, 256, 1000].flatMap((sigLength) =>
      dids.flatMap((did) => [null, link(DATA)].map((prev) => ({ sigLength, did, prev }))),
    )
    for (const { sigLength, did, prev } of cases) {
      const bytes = encodeCbor(handBuilt({ did, prev, sig: toBytes(new Uint8Array(sigLength).fill(7)) }))
      const layout = readCommitLayout(bytes)
      if (layout === undefined) throw new Error(`canonical commit not read sig=${sigLength} did=${did.length}`)
      expect(layout.did).toBe(did)
      expect(layout.sig.length).toBe(sigLength)
      expect(spliceOutSig(bytes, layout.sigStart, layout.sigEnd)).toEqual(reencoded(bytes))
      const commit = decodeCommit(bytes)
      if (!commit.ok) throw commit.error
      expect(unsignedCommitBytes(commit.value)).toEqual(reencoded(bytes))
    }
  })

  it('re-encodes a decoded commit whose fields were changed afterwards', () => {
    const commit = decodeCommit(encodeCbor(handBuilt()))
    if (!commit.ok) throw commit.error
    const before = unsignedCommitBytes(commit.value)
    commit.value.rev = '3jzfcijpj2z2b'
    const after = unsignedCommitBytes(commit.value)
    expect(after).not.toEqual(before)
    expect(after).toEqual(reencoded(encodeCbor(handBuilt({ rev: '3jzfcijpj2z2b' }))))
  })
})

describe('decodeCommit on bytes that are not canonical', () => {
  const did = text(DID)
  const rev = text('3jzfcijpj2z2a')
  const sig = [0x58, 0x40, ...new Uint8Array(64)]
  const data = [0xd8, 0x2a, 0x58, 0x25, 0x00, ...(cidFromString(DATA) as Uint8Array)]
  const entries = {
    did: [...text('did'), ...did],
    rev: [...text('rev'), ...rev],
    sig: [...text('sig'), ...sig],
    data: [...text('data'), ...data],
    prev: [...text('prev'), 0xf6],
    version: [...text('version'), 0x03],
  }
  const canonical = Uint8Array.from([
    0xa6,
    ...entries.did,
    ...entries.rev,
    ...entries.sig,
    ...entries.data,
    ...entries.prev,
    ...entries.version,
  ])

  it('builds the control the way the encoder does', () => {
    expect(canonical).toEqual(encodeCbor(handBuilt()))
    expect(decodeCommit(canonical).ok).toBe(true)
  })

  it.each([
    [
      'keys in alphabetical order',
      [0xa6, ...entries.data, ...entries.did, ...entries.prev, ...entries.rev, ...entries.sig, ...entries.version],
    ],
    [
      'sig after data',
      [0xa6, ...entries.did, ...entries.rev, ...entries.data, ...entries.sig, ...entries.prev, ...entries.version],
    ],
    [
      'a long-form text head',
      [
        0xa6,
        ...entries.did,
        ...text('rev'),
        0x78,
        rev.length - 1,
        ...rev.slice(1),
        ...entries.sig,
        ...entries.data,
        ...entries.prev,
        ...entries.version,
      ],
    ],
    [
      'a long-form bytes head',
      [
        0xa6,
        ...entries.did,
        ...entries.rev,
        ...text('sig'),
        0x59,
        0x00,
        0x40,
        ...sig.slice(2),
        ...entries.data,
        ...entries.prev,
        ...entries.version,
      ],
    ],
    [
      'a long-form uint',
      [
        0xa6,
        ...entries.did,
        ...entries.rev,
        ...entries.sig,
        ...entries.data,
        ...entries.prev,
        ...text('version'),
        0x18,
        0x03,
      ],
    ],
    [
      'a long-form map head',
      [
        0xb8,
        0x06,
        ...entries.did,
        ...entries.rev,
        ...entries.sig,
        ...entries.data,
        ...entries.prev,
        ...entries.version,
      ],
    ],
    [
      'an indefinite-length map',
      [
        0xbf,
        ...entries.did,
        ...entries.rev,
        ...entries.sig,
        ...entries.data,
        ...entries.prev,
        ...entries.version,
        0xff,
      ],
    ],
    ['a trailing byte', [...canonical, 0x00]],
  ])('rejects %s', (_, bytes) => {
    const result = decodeCommit(Uint8Array.from(bytes))
    expect(result.ok ? null : result.error.code).toBe('MalformedCommit')
    expect(readCommitLayout(Uint8Array.from(bytes))).toBeUndefined()
  })

  it('fails a bad field the same way whichever decoder reads it', () => {
    const bad = Uint8Array.from(canonical)
    bad[bad.length - 1] = 0x02 // version 2, still canonical
    const result = decodeCommit(bad)
    expect(result.ok ? null : result.error.message).toMatch(/version must be 3 version=2/)
  })
})
