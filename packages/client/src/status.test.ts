import { bskyIds, ids, SCOPE_TYPES } from '@donottrain/lexicon'
import { type LocalNetwork, startLocalNetwork, type TestAccount } from '@donottrain/test'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DonottrainClient } from './client.js'
import { IdentityNotFoundError, InvalidInputError, PdsUnreachableError } from './errors.js'
import { login } from './session.js'
import { status } from './status.js'

let net: LocalNetwork
beforeAll(async () => {
  net = await startLocalNetwork()
})
afterAll(async () => {
  await net?.close()
})

async function account(name: string): Promise<{ acc: TestAccount; client: DonottrainClient }> {
  const acc = await net.createAccount(name)
  const client = await login({ identifier: acc.did, password: acc.password, service: net.pdsUrl, plcUrl: net.plcUrl })
  return { acc, client }
}

async function createPost(acc: TestAccount, text: string): Promise<string> {
  const res = await acc.agent.com.atproto.repo.createRecord({
    repo: acc.did,
    collection: bskyIds.post,
    record: { $type: bskyIds.post, text, createdAt: new Date().toISOString() },
  })
  return res.data.uri
}

const opts = () => ({ plcUrl: net.plcUrl, service: net.pdsUrl })

describe('status', () => {
  let acc: TestAccount
  let post1 = ''
  let post2 = ''

  beforeAll(async () => {
    const a = await account('multi')
    acc = a.acc
    post1 = await createPost(acc, 'first')
    post2 = await createPost(acc, 'second')
    await a.client.declare({ preferences: { trainAi: 'deny', search: 'allow' } })
    await a.client.declare({
      scope: { type: 'collection', collection: bskyIds.post },
      preferences: { search: 'deny', aiInput: 'allow' },
    })
    await a.client.declare({ scope: { type: 'record', uri: post1 }, preferences: { aiInput: 'deny' } })
    // Unverified origin: listed, never part of a verdict.
    await a.client.declare({
      scope: { type: 'origin', origin: 'https://elsewhere.example' },
      preferences: { search: 'deny', trainAi: 'allow' },
      force: true,
    })
  })

  it('combines the account-wide declaration for the account, reading straight from the PDS', async () => {
    const res = await status(acc.handle, opts())
    expect(res.subject).toMatchObject({ kind: 'account', did: acc.did, handle: acc.handle })
    expect(res.pds).toBe(net.pdsUrl)
    expect(res.verdict).toEqual({ trainAi: 'deny', trainGenai: 'deny', aiInput: 'unknown', search: 'allow' })
    expect(res.declarations).toHaveLength(4)
    expect(res.declarations.filter((d) => d.applies).map((d) => d.scope.type)).toEqual(['account'])
    expect(res.invalid).toEqual([])
  })

  it('for a collection: any deny wins over an allow', async () => {
    const res = await status(`at://${acc.did}/${bskyIds.post}`, opts())
    expect(res.subject.kind).toBe('collection')
    expect(res.verdict).toEqual({ trainAi: 'deny', trainGenai: 'deny', aiInput: 'allow', search: 'deny' })
    expect(
      res.declarations
        .filter((d) => d.applies)
        .map((d) => d.scope.type)
        .sort(),
    ).toEqual(['account', 'collection'])
  })

  it('for a record: account, collection and record declarations together', async () => {
    const one = await status(post1, opts())
    expect(one.verdict).toEqual({ trainAi: 'deny', trainGenai: 'deny', aiInput: 'deny', search: 'deny' })
    expect(one.declarations.filter((d) => d.applies)).toHaveLength(3)
    // The other post, named by its bsky.app URL, has no record declaration of its own.
    const two = await status(`https://bsky.app/profile/${acc.handle}/post/${post2.split('/').pop()}`, opts())
    expect(two.subject.uri).toBe(post2)
    expect(two.verdict).toEqual({ trainAi: 'deny', trainGenai: 'deny', aiInput: 'allow', search: 'deny' })
  })

  it('counts a #donottrain profile tag and a #donottrain post as plain #donottrain', async () => {
    const { acc: tagged } = await account('tagged')
    expect((await status(tagged.did, opts())).verdict.trainAi).toBe('unknown')
    await tagged.agent.com.atproto.repo.putRecord({
      repo: tagged.did,
      collection: bskyIds.profile,
      rkey: 'self',
      record: { $type: bskyIds.profile, description: 'Illustrator. #DoNotTrain' },
    })
    const res = await status(tagged.did, opts())
    expect(res.verdict).toEqual({ trainAi: 'deny', trainGenai: 'deny', aiInput: 'unknown', search: 'unknown' })
    expect(res.declarations).toMatchObject([{ source: 'profileTag', applies: true, scope: { type: 'account' } }])

    const { acc: poster } = await account('poster')
    const p = await createPost(poster, 'this one is mine #donottrain')
    const postStatus = await status(p, opts())
    expect(postStatus.verdict.trainAi).toBe('deny')
    expect(postStatus.declarations).toMatchObject([{ source: 'postTag', uri: p, applies: true }])
    expect((await status(poster.did, opts())).verdict.trainAi).toBe('unknown')

    // As the indexer reads a post: its `tags` count too, and a longer tag does not.
    const byTags = await poster.agent.com.atproto.repo.createRecord({
      repo: poster.did,
      collection: bskyIds.post,
      record: {
        $type: bskyIds.post,
        text: 'no tag in the text',
        tags: ['DoNotTrain'],
        createdAt: new Date().toISOString(),
      },
    })
    const tagsStatus = await status(byTags.data.uri, opts())
    expect(tagsStatus.verdict.trainAi).toBe('deny')
    expect(tagsStatus.declarations).toMatchObject([{ source: 'postTag', uri: byTags.data.uri, applies: true }])
    const longer = await createPost(poster, 'not this one #donottrainme')
    expect((await status(longer, opts())).verdict.trainAi).toBe('unknown')
  })

  it('counts the two foreign vocabularies as the indexer does', async () => {
    const { acc: foreign } = await account('foreign')
    const now = () => new Date().toISOString()
    await foreign.agent.com.atproto.repo.putRecord({
      repo: foreign.did,
      collection: ids.OrgUserIntentsDemoDeclaration,
      rkey: 'self',
      record: {
        $type: ids.OrgUserIntentsDemoDeclaration,
        updatedAt: now(),
        syntheticContentGeneration: { allow: false, updatedAt: now() },
      },
    })
    const pref = await foreign.agent.com.atproto.repo.createRecord({
      repo: foreign.did,
      collection: ids.CommunityLexiconPreferenceAi,
      record: {
        $type: ids.CommunityLexiconPreferenceAi,
        updatedAt: now(),
        scope: { $type: `${ids.CommunityLexiconPreferenceAi}#collection`, nsid: bskyIds.post },
        preferences: { inference: { allow: false }, training: { allow: true } },
      },
    })
    // One about another account's record: not this account's to declare, so it counts for nothing.
    await foreign.agent.com.atproto.repo.createRecord({
      repo: foreign.did,
      collection: ids.CommunityLexiconPreferenceAi,
      record: {
        $type: ids.CommunityLexiconPreferenceAi,
        updatedAt: now(),
        scope: { $type: `${ids.CommunityLexiconPreferenceAi}#entity`, uri: post1 },
        preferences: { training: { allow: false } },
      },
    })
    const whole = await status(foreign.did, opts())
    expect(whole.verdict).toEqual({ trainAi: 'unknown', trainGenai: 'deny', aiInput: 'unknown', search: 'unknown' })
    const posts = await status(`at://${foreign.did}/${bskyIds.post}`, opts())
    expect(posts.verdict).toEqual({ trainAi: 'allow', trainGenai: 'deny', aiInput: 'deny', search: 'unknown' })
    expect(posts.declarations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ source: 'userIntents', scope: { type: 'account' }, applies: true }),
        expect.objectContaining({ source: 'preferenceAi', uri: pref.data.uri, applies: true }),
      ]),
    )
    expect(posts.declarations).toHaveLength(2)
  })

  it('reports invalid records and leaves them out of the verdict', async () => {
    const { acc: odd } = await account('odd')
    await odd.agent.com.atproto.repo.putRecord({
      repo: odd.did,
      collection: ids.AiDonottrainDeclaration,
      rkey: '3jzfcijpj2z2a',
      record: {
        $type: ids.AiDonottrainDeclaration,
        scope: { $type: SCOPE_TYPES.account },
        preferences: { trainAi: 'deny' },
        createdAt: new Date().toISOString(),
      },
    })
    const res = await status(odd.did, opts())
    expect(res.verdict.trainAi).toBe('unknown')
    expect(res.declarations).toEqual([])
    expect(res.invalid).toMatchObject([{ rkey: '3jzfcijpj2z2a', valid: false, error: { code: 'ScopeKeyMismatch' } }])
  })

  it('is unknown everywhere for an account without declarations', async () => {
    const { acc: quiet } = await account('quiet')
    const res = await status(quiet.did, opts())
    expect(res.verdict).toEqual({ trainAi: 'unknown', trainGenai: 'unknown', aiInput: 'unknown', search: 'unknown' })
  })

  it('refuses what it cannot answer from a PDS', async () => {
    await expect(status('nobody.test', opts())).rejects.toBeInstanceOf(IdentityNotFoundError)
    await expect(status('https://example.com/page', opts())).rejects.toBeInstanceOf(InvalidInputError)
    await expect(status('not a subject', opts())).rejects.toBeInstanceOf(InvalidInputError)
  })

  it('reaches a PDS named by a DID document only through the SSRF guard', async () => {
    const { acc: far } = await account('farpds')
    // The PDS is on loopback: trusted when the caller configured it, refused when only the
    // subject's DID document names it.
    expect((await status(far.did, opts())).subject.did).toBe(far.did)
    const refused = await status(far.did, { plcUrl: net.plcUrl }).catch((err: unknown) => err)
    expect(refused).toBeInstanceOf(PdsUnreachableError)
    expect((refused as Error).message).toMatch(/reason=(HttpsRequired|ForbiddenAddress)/)
    expect((await status(far.did, { plcUrl: net.plcUrl, allowLoopback: true })).subject.did).toBe(far.did)
  })

  it("is also there on a signed-in client, defaulting to the client's own account", async () => {
    const { acc: me, client } = await account('selfcheck')
    await client.declare()
    const res = await client.status()
    expect(res.subject.did).toBe(me.did)
    expect(res.verdict.trainAi).toBe('deny')
  })
})
