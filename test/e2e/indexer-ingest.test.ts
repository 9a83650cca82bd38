import { bskyIds, ids, scopes } from '@donottrain/lexicon'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LocalNetwork, startLocalNetwork, type TestAccount, waitFor } from '../src/index.js'
import { startTestIndexer, type TestIndexer } from './support/indexer.js'

const now = () => new Date().toISOString()

describe('indexer ingest from a real PDS firehose', () => {
  let net: LocalNetwork
  let indexer: TestIndexer
  let alice: TestAccount

  beforeAll(async () => {
    net = await startLocalNetwork()
    indexer = await startTestIndexer(net)
    alice = await net.createAccount('alice')
  })
  afterAll(async () => {
    await indexer?.close()
    await net?.close()
  })

  const declarations = (did: string) => indexer.store.declarationsFor(did)
  const waitDecl = (did: string, pred: (rows: Awaited<ReturnType<typeof declarations>>) => boolean, what: string) =>
    waitFor(
      async () => {
        const rows = await declarations(did)
        return pred(rows) && rows
      },
      { what, timeoutMs: 15_000 },
    )

  it('indexes an account-wide declaration, its update and its revocation', async () => {
    const repo = alice.agent.com.atproto.repo
    const put = await repo.putRecord({
      repo: alice.did,
      collection: ids.AiDonottrainDeclaration,
      rkey: 'self',
      record: {
        $type: ids.AiDonottrainDeclaration,
        scope: scopes.account(),
        preferences: { trainAi: 'deny' },
        createdAt: now(),
      },
    })
    let rows = await waitDecl(alice.did, (r) => r.some((d) => d.cid === put.data.cid), 'declaration indexed')
    expect(rows[0]).toMatchObject({ scope_type: 'account', source: 'declaration', uri: put.data.uri })
    const proof = await indexer.store.kysely
      .selectFrom('declaration')
      .select('proof')
      .where('uri', '=', put.data.uri)
      .executeTakeFirstOrThrow()
    expect(proof.proof.length).toBeGreaterThan(100)

    const upd = await repo.putRecord({
      repo: alice.did,
      collection: ids.AiDonottrainDeclaration,
      rkey: 'self',
      record: {
        $type: ids.AiDonottrainDeclaration,
        scope: scopes.account(),
        preferences: { trainAi: 'deny', search: 'allow' },
        createdAt: now(),
      },
    })
    rows = await waitDecl(alice.did, (r) => r.some((d) => d.cid === upd.data.cid), 'update indexed')
    expect(JSON.parse(rows[0]?.preferences ?? '{}')).toEqual({ trainAi: 'deny', search: 'allow' })

    await repo.deleteRecord({ repo: alice.did, collection: ids.AiDonottrainDeclaration, rkey: 'self' })
    await waitDecl(alice.did, (r) => r.length === 0, 'revocation indexed')
    const kinds = (
      await indexer.store.kysely
        .selectFrom('change')
        .select('kind')
        .where('did', '=', alice.did)
        .orderBy('seq')
        .execute()
    ).map((c) => c.kind)
    expect(kinds).toEqual(['create', 'update', 'delete'])
  })

  it('indexes record, collection and origin scopes, and #donottrain in posts and the bio', async () => {
    const bob = await net.createAccount('bob')
    const repo = bob.agent.com.atproto.repo
    const post = await repo.createRecord({
      repo: bob.did,
      collection: bskyIds.post,
      record: { $type: bskyIds.post, text: 'my art', createdAt: now() },
    })
    const tagged = await bob.agent.post({
      text: 'sketch #donottrain',
      facets: [{ index: { byteStart: 7, byteEnd: 18 }, features: [{ $type: bskyIds.facetTag, tag: 'donottrain' }] }],
    })
    await repo.createRecord({
      repo: bob.did,
      collection: ids.AiDonottrainDeclaration,
      record: {
        $type: ids.AiDonottrainDeclaration,
        scope: scopes.record({ uri: post.data.uri, cid: post.data.cid }),
        preferences: { aiInput: 'deny' },
        createdAt: now(),
      },
    })
    await repo.createRecord({
      repo: bob.did,
      collection: ids.AiDonottrainDeclaration,
      record: {
        $type: ids.AiDonottrainDeclaration,
        scope: scopes.collection(bskyIds.post),
        preferences: { trainGenai: 'deny' },
        createdAt: now(),
      },
    })
    await repo.createRecord({
      repo: bob.did,
      collection: ids.AiDonottrainDeclaration,
      record: {
        $type: ids.AiDonottrainDeclaration,
        scope: scopes.origin('https://bob.example.com'),
        preferences: { trainAi: 'deny' },
        createdAt: now(),
      },
    })
    await repo.putRecord({
      repo: bob.did,
      collection: bskyIds.profile,
      rkey: 'self',
      record: { $type: bskyIds.profile, displayName: 'Bob', description: 'painter #donottrain' },
    })
    const rows = await waitDecl(bob.did, (r) => r.length === 5, 'five declarations')
    const byKind = Object.fromEntries(rows.map((r) => [`${r.source}:${r.scope_type}`, r]))
    expect(Object.keys(byKind).sort()).toEqual(
      [
        'declaration:collection',
        'declaration:origin',
        'declaration:record',
        'postTag:record',
        'profileTag:account',
      ].sort(),
    )
    expect(byKind['postTag:record']?.uri).toBe(tagged.uri)
    expect(byKind['declaration:record']?.scope_target).toBe(post.data.uri)
    expect(byKind['declaration:origin']?.origin_verified).toBe(0)

    // removing the tag from the bio revokes the account-wide declaration it made
    await repo.putRecord({
      repo: bob.did,
      collection: bskyIds.profile,
      rkey: 'self',
      record: { $type: bskyIds.profile, displayName: 'Bob', description: 'painter' },
    })
    await waitDecl(bob.did, (r) => r.length === 4 && !r.some((d) => d.source === 'profileTag'), 'bio tag revoked')
  })

  it('indexes both foreign lexicons by the mapping table', async () => {
    const carol = await net.createAccount('carol')
    const repo = carol.agent.com.atproto.repo
    await repo.putRecord({
      repo: carol.did,
      collection: ids.OrgUserIntentsDemoDeclaration,
      rkey: 'self',
      record: {
        $type: ids.OrgUserIntentsDemoDeclaration,
        updatedAt: now(),
        syntheticContentGeneration: { allow: false, updatedAt: now() },
      },
    })
    await repo.createRecord({
      repo: carol.did,
      collection: ids.CommunityLexiconPreferenceAi,
      record: {
        $type: ids.CommunityLexiconPreferenceAi,
        updatedAt: now(),
        scope: { $type: `${ids.CommunityLexiconPreferenceAi}#global` },
        preferences: { training: { allow: false } },
      },
    })
    const rows = await waitDecl(carol.did, (r) => r.length === 2, 'foreign declarations')
    const prefs = Object.fromEntries(rows.map((r) => [r.source, JSON.parse(r.preferences)]))
    expect(prefs).toEqual({ userIntents: { trainGenai: 'deny' }, preferenceAi: { trainAi: 'deny' } })
  })

  it('hides on deactivation, restores on reactivation, purges on deletion', async () => {
    const dave = await net.createAccount('dave')
    await dave.agent.com.atproto.repo.putRecord({
      repo: dave.did,
      collection: ids.AiDonottrainDeclaration,
      rkey: 'self',
      record: {
        $type: ids.AiDonottrainDeclaration,
        scope: scopes.account(),
        preferences: { trainAi: 'deny' },
        createdAt: now(),
      },
    })
    await waitDecl(dave.did, (r) => r.length === 1, 'declaration')
    const status = async () => (await indexer.store.getRepo(dave.did))?.status
    await dave.agent.com.atproto.server.deactivateAccount({})
    await waitFor(async () => (await status()) === 'deactivated', { what: 'deactivated', timeoutMs: 15_000 })
    await dave.agent.com.atproto.server.activateAccount()
    await waitFor(async () => (await status()) === 'active', { what: 'reactivated', timeoutMs: 15_000 })
    await net
      .agent()
      .com.atproto.admin.deleteAccount({ did: dave.did }, { headers: net.adminHeaders(), encoding: 'application/json' })
    await waitFor(async () => (await status()) === undefined, { what: 'purged', timeoutMs: 15_000 })
    expect(await declarations(dave.did)).toEqual([])
    const kinds = (
      await indexer.store.kysely
        .selectFrom('change')
        .select('kind')
        .where('did', '=', dave.did)
        .orderBy('seq')
        .execute()
    ).map((c) => c.kind)
    expect(kinds).toEqual(['create', 'hide', 'restore', 'purge'])
  })

  it('counts no rejections for a healthy PDS and exposes metrics and health', async () => {
    expect(indexer.metrics.total('donottrain_rejections_total')).toBe(0)
    expect(indexer.metrics.total('donottrain_commits_validated_total')).toBeGreaterThan(5)
    const health = await fetch(`${indexer.url}/_health`)
    expect(await health.json()).toEqual({ status: 'ok' })
    const metrics = await (await fetch(`${indexer.url}/metrics`)).text()
    expect(metrics).toMatch(/donottrain_commits_validated_total \d+/)
  })
})
