import { encode as encodeCbor, toBytes, toCidLink } from '@atcute/cbor'
import { decode as decodeCid } from '@atcute/cid'
import { verifySignature as atprotoVerifySignature, P256Keypair, Secp256k1Keypair } from '@atproto/crypto'
import { MemoryBlockstore, Repo } from '@atproto/repo'
import { describe, expect, it } from 'vitest'
import { parseDidKey } from '../crypto/index.js'
import { CODEC_RAW, cidFromString } from '../mst/index.js'
import { decodeCommit, unsignedCommitBytes, verifyCommitSignature } from './commit.js'
import type { Commit } from './types.js'

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'

async function referenceCommit(keypair: Secp256k1Keypair | P256Keypair) {
  const storage = new MemoryBlockstore()
  const repo = await Repo.create(storage, DID, keypair)
  const bytes = storage.blocks.get(repo.cid)
  if (bytes === undefined) throw new Error('commit block not stored')
  const key = parseDidKey(keypair.did())
  if (!key.ok) throw key.error
  return { bytes, key: key.value, cid: repo.cid.toString(), rev: repo.commit.rev, data: repo.commit.data.toString() }
}

const keypairs = [
  ['secp256k1', () => Secp256k1Keypair.create()],
  ['p256', () => P256Keypair.create()],
] as const

describe('decodeCommit', () => {
  it.each(keypairs)('decodes a v3 commit written by @atproto/repo (%s)', async (_, create) => {
    const ref = await referenceCommit(await create())
    const commit = decodeCommit(ref.bytes)
    if (!commit.ok) throw commit.error
    expect(commit.value).toMatchObject({ did: DID, version: 3, rev: ref.rev, data: ref.data, prev: null })
    expect(commit.value.sig.length).toBe(64)
  })

  const base = () => {
    const data = cidFromString('bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm') as Uint8Array
    return {
      did: DID,
      version: 3 as number,
      data: toCidLink(decodeCid(data)) as unknown,
      rev: '3jzfcijpj2z2a',
      prev: null as unknown,
      sig: toBytes(new Uint8Array(64)) as unknown,
    }
  }

  it('accepts the hand-built control commit, and a non-null prev', () => {
    expect(decodeCommit(encodeCbor(base())).ok).toBe(true)
    expect(decodeCommit(encodeCbor({ ...base(), prev: base().data })).ok).toBe(true)
  })

  it.each([
    ['version 2', { version: 2 }, /version must be 3/],
    ['a bad did', { did: 'plc:abc' }, /did/],
    ['a bad rev', { rev: 'not-a-tid' }, /rev/],
    ['data as a string', { data: 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm' }, /data/],
    ['prev as a string', { prev: 'x' }, /prev/],
    ['sig as a string', { sig: 'abc' }, /sig/],
  ] as const)('rejects %s', (_, change, match) => {
    const result = decodeCommit(encodeCbor({ ...base(), ...change }))
    if (result.ok) throw new Error('expected a malformed commit')
    expect(result.error.code).toBe('MalformedCommit')
    expect(result.error.message).toMatch(match)
  })

  it('rejects a raw-codec data link, missing or extra fields, non-maps and non-canonical bytes', () => {
    const raw = Uint8Array.from(
      cidFromString('bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm') as Uint8Array,
    )
    raw[1] = CODEC_RAW
    const { prev: _prev, ...noPrev } = base()
    for (const value of [
      { ...base(), data: toCidLink(decodeCid(raw)) },
      noPrev,
      { ...base(), extra: 1 },
      [1, 2, 3],
      'commit',
    ]) {
      const result = decodeCommit(encodeCbor(value))
      expect(result.ok ? null : result.error.code).toBe('MalformedCommit')
    }
    const trailing = Uint8Array.from([...encodeCbor(base()), 0x00])
    expect(decodeCommit(trailing).ok).toBe(false)
  })
})

describe('unsignedCommitBytes', () => {
  it.each(keypairs)('are the bytes the reference signed: @atproto/crypto verifies them (%s)', async (_, create) => {
    const keypair = await create()
    const ref = await referenceCommit(keypair)
    const commit = decodeCommit(ref.bytes)
    if (!commit.ok) throw commit.error
    expect(await atprotoVerifySignature(keypair.did(), unsignedCommitBytes(commit.value), commit.value.sig)).toBe(true)
    // and they are the commit's own bytes without the sig field
    expect(unsignedCommitBytes(commit.value).length).toBe(ref.bytes.length - 4 - 2 - 64)
    expect(unsignedCommitBytes({ ...commit.value, sig: new Uint8Array(0) })).toEqual(unsignedCommitBytes(commit.value))
  })
})

describe('verifyCommitSignature', () => {
  it.each(keypairs)('verifies the reference commit, and not a changed one or another key (%s)', async (_, create) => {
    const ref = await referenceCommit(await create())
    const commit = decodeCommit(ref.bytes)
    if (!commit.ok) throw commit.error
    expect(verifyCommitSignature(commit.value, ref.key)).toBe(true)
    const changed: Commit[] = [
      { ...commit.value, rev: '2222222222222' },
      { ...commit.value, did: 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa' },
      { ...commit.value, data: 'bafyreie5cvv4h45feadgeuwhbcutmh6t2ceseocckahdoe6uat64zmz454' },
      { ...commit.value, prev: commit.value.data },
    ]
    for (const c of changed) expect(verifyCommitSignature(c, ref.key)).toBe(false)
    const other = await referenceCommit(await create())
    expect(verifyCommitSignature(commit.value, other.key)).toBe(false)
  })
})
