import { existsSync } from 'node:fs'
import { AiDonottrainDeclaration, bskyIds, ids, scopes, validateDeclaration } from '@donottrain/lexicon'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LocalNetwork, startLocalNetwork, waitFor } from '../src/index.js'

describe('local atproto network (real PDS + PLC)', () => {
  let net: LocalNetwork

  beforeAll(async () => {
    net = await startLocalNetwork()
  })
  afterAll(async () => {
    await net?.close()
  })

  it('creates accounts with did:plc identities registered in the PLC directory', async () => {
    const alice = await net.createAccount('alice')
    expect(alice.did).toMatch(/^did:plc:[a-z2-7]{24}$/)
    const res = await fetch(`${net.plcUrl}/${alice.did}`)
    expect(res.status).toBe(200)
    const doc = (await res.json()) as { id: string; alsoKnownAs: string[] }
    expect(doc.id).toBe(alice.did)
    expect(doc.alsoKnownAs).toContain('at://alice.test')
  })

  it('stores account-scope and record-scope declarations that read back valid', async () => {
    const bob = await net.createAccount('bob')
    const repo = bob.agent.com.atproto.repo
    const post = await repo.createRecord({
      repo: bob.did,
      collection: bskyIds.post,
      record: { $type: bskyIds.post, text: 'hello #donottrain', createdAt: new Date().toISOString() },
    })
    const createdAt = new Date().toISOString()
    const account: AiDonottrainDeclaration.Record = {
      $type: ids.AiDonottrainDeclaration,
      scope: scopes.account(),
      preferences: { trainAi: 'deny' },
      createdAt,
    }
    const scoped: AiDonottrainDeclaration.Record = {
      $type: ids.AiDonottrainDeclaration,
      scope: scopes.record({ uri: post.data.uri, cid: post.data.cid }),
      preferences: { trainAi: 'deny', aiInput: 'deny', search: 'allow' },
      statement: 'not this one either',
      createdAt,
    }
    const put = await repo.putRecord({
      repo: bob.did,
      collection: ids.AiDonottrainDeclaration,
      rkey: 'self',
      record: account,
    })
    const created = await repo.createRecord({ repo: bob.did, collection: ids.AiDonottrainDeclaration, record: scoped })
    expect(put.data.uri).toBe(`at://${bob.did}/${ids.AiDonottrainDeclaration}/self`)

    for (const [uri, expected] of [
      [put.data.uri, account],
      [created.data.uri, scoped],
    ] as const) {
      const rkey = uri.split('/').pop() as string
      const got = await net
        .agent()
        .com.atproto.repo.getRecord({ repo: bob.did, collection: ids.AiDonottrainDeclaration, rkey })
      expect(got.data.value).toEqual(expected)
      expect(AiDonottrainDeclaration.validateRecord(got.data.value).success).toBe(true)
      const res = validateDeclaration(got.data.value, { did: bob.did, rkey })
      if (!res.ok) throw res.error
      expect(res.value.scope.type).toBe(rkey === 'self' ? 'account' : 'record')
    }
  })

  it('lists the declarations collection once the repo has them', async () => {
    const carol = await net.createAccount('carol')
    await carol.agent.com.atproto.repo.putRecord({
      repo: carol.did,
      collection: ids.AiDonottrainDeclaration,
      rkey: 'self',
      record: {
        $type: ids.AiDonottrainDeclaration,
        scope: scopes.account(),
        preferences: { trainAi: 'deny' },
        createdAt: new Date().toISOString(),
      },
    })
    const listed = await waitFor(async () => {
      const res = await net
        .agent()
        .com.atproto.repo.listRecords({ repo: carol.did, collection: ids.AiDonottrainDeclaration })
      return res.data.records.length > 0 && res.data.records
    })
    expect(listed.map((r) => r.uri)).toEqual([`at://${carol.did}/${ids.AiDonottrainDeclaration}/self`])
  })
})

describe('startLocalNetwork teardown', () => {
  it('removes its temp directory on close, and close is idempotent', async () => {
    const net = await startLocalNetwork()
    const dir = (net.network.pds.ctx.cfg.db as { accountDbLoc?: string }).accountDbLoc
    expect(dir && existsSync(dir)).toBe(true)
    await net.close()
    await net.close()
    expect(existsSync(dir as string)).toBe(false)
  })
})
