import { Secp256k1Keypair } from '@atproto/crypto'
import { MemoryBlockstore, Repo } from '@atproto/repo'
import { beforeAll, describe, expect, it } from 'vitest'
import { type ParsedKey, parseDidKey } from '../crypto/index.js'
import { err, ok } from '../mst/result.js'
import { checkCommitSignature } from './check-signature.js'
import { decodeCommit } from './commit.js'
import type { Commit, KeyResolver } from './types.js'

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'
let commit: Commit
let key: ParsedKey
let other: ParsedKey

const newKey = async (): Promise<ParsedKey> => {
  const parsed = parseDidKey((await Secp256k1Keypair.create()).did())
  if (!parsed.ok) throw parsed.error
  return parsed.value
}

/** Answers the n-th call with answers[n] (an Error answers with a failure). */
function scripted(...answers: (ParsedKey | Error)[]): KeyResolver & { calls: unknown[] } {
  const calls: unknown[] = []
  return {
    calls,
    async resolveAtprotoKey(did, opts) {
      calls.push([did, opts])
      const answer = answers[calls.length - 1]
      if (answer === undefined) throw new Error('resolver asked too often')
      return answer instanceof Error ? err(answer) : ok(answer)
    },
  }
}

beforeAll(async () => {
  const keypair = await Secp256k1Keypair.create()
  const storage = new MemoryBlockstore()
  const repo = await Repo.create(storage, DID, keypair)
  const decoded = decodeCommit(storage.blocks.get(repo.cid) as Uint8Array)
  if (!decoded.ok) throw decoded.error
  commit = decoded.value
  const parsed = parseDidKey(keypair.did())
  if (!parsed.ok) throw parsed.error
  key = parsed.value
  other = await newKey()
})

const code = (result: Awaited<ReturnType<typeof checkCommitSignature>>) => (result.ok ? 'ok' : result.error.code)

describe('checkCommitSignature', () => {
  it('uses the given key, and does not ask a resolver', async () => {
    const resolver = scripted()
    expect(await checkCommitSignature(commit, { key, resolver })).toEqual({ ok: true, value: key })
    const bad = await checkCommitSignature(commit, { key: other, resolver })
    expect(bad.ok ? null : [bad.error.code, bad.error.message]).toEqual([
      'BadSignature',
      `signature does not match the given key did=${DID}`,
    ])
    expect(resolver.calls).toEqual([])
  })

  it('asks the resolver once when the resolved key verifies', async () => {
    const resolver = scripted(key)
    expect(await checkCommitSignature(commit, { resolver })).toEqual({ ok: true, value: key })
    expect(resolver.calls).toEqual([[DID, undefined]])
  })

  it('asks again with forceRefresh when the cached key fails, and accepts the rotated key', async () => {
    const resolver = scripted(other, key)
    expect(await checkCommitSignature(commit, { resolver })).toEqual({ ok: true, value: key })
    expect(resolver.calls).toEqual([
      [DID, undefined],
      [DID, { forceRefresh: true }],
    ])
  })

  it('fails with BadSignature naming the rotation when the refreshed key fails too (or is the same)', async () => {
    for (const resolver of [scripted(other, await newKey()), scripted(other, other)]) {
      const result = await checkCommitSignature(commit, { resolver })
      expect(result.ok ? null : [result.error.code, result.error.message]).toEqual([
        'BadSignature',
        `signature does not match the current atproto key of did=${DID} (key rotated?)`,
      ])
      expect(resolver.calls.length).toBe(2)
    }
  })

  it('fails with KeyNotFound without key and resolver, or when resolution fails', async () => {
    expect(code(await checkCommitSignature(commit, {}))).toBe('KeyNotFound')
    const failing = await checkCommitSignature(commit, { resolver: scripted(new Error('plc down')) })
    expect(failing.ok ? null : [failing.error.code, (failing.error.cause as Error).message]).toEqual([
      'KeyNotFound',
      'plc down',
    ])
    expect(code(await checkCommitSignature(commit, { resolver: scripted(other, new Error('plc down')) }))).toBe(
      'KeyNotFound',
    )
  })
})
