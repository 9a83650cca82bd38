import { ids as atprotoIds } from '@atproto/api'
import { ACCOUNT_RKEY, bskyIds, ids, scopes } from '@donottrain/lexicon'
import type { Rng } from './firehose-random.js'

/** The collections the generator writes. */
export const collections = {
  like: atprotoIds.AppBskyFeedLike,
  follow: atprotoIds.AppBskyGraphFollow,
  post: bskyIds.post,
  repost: atprotoIds.AppBskyFeedRepost,
  profile: bskyIds.profile,
  declaration: ids.AiDonottrainDeclaration,
} as const

export const PROFILE_RKEY = 'self'
export { ACCOUNT_RKEY }

/** The hashtag the indexer looks for, without '#'. */
export const DONOTTRAIN_TAG = 'donottrain'

export interface StrongRef {
  uri: string
  cid: string
}

// biome-ignore lint/suspicious/noExplicitAny: records are plain lex values handed to @atproto/repo
export type LexRecord = Record<string, any>

const WORDS = (
  'the a of to and in is it you that for on was with as have be at this are not but what all were ' +
  'when we there can an your which their said if do will each about how up out them then she many ' +
  'some so these would other into has more her two like him see time could no make than first been ' +
  'its who now people my made over did down only way find use may water long little very after words ' +
  'called just where most know art photo drawing sketch painting comic commission weekend coffee ' +
  'garden sunset music album track release thread today tomorrow morning night city train station ' +
  'river bird cat dog book chapter writing draft poem story lovely wonderful finally honestly'
).split(' ')

const EXTRAS = ['🎨', '☕', '🌅', '✨', 'café', 'naïve', 'über', '日本', '🙂', 'ça va', '—']

function sentence(rng: Rng, min: number, max: number): string {
  const n = rng.int(min, max)
  const words: string[] = []
  for (let i = 0; i < n; i++) words.push(rng.chance(0.04) ? rng.pick(EXTRAS) : rng.pick(WORDS))
  const text = words.join(' ')
  return text.charAt(0).toUpperCase() + text.slice(1)
}

const utf8Length = (s: string) => Buffer.byteLength(s, 'utf8')

export function likeRecord(subject: StrongRef, createdAt: string): LexRecord {
  return { $type: collections.like, subject, createdAt }
}

export function repostRecord(subject: StrongRef, createdAt: string): LexRecord {
  return { $type: collections.repost, subject, createdAt }
}

export function followRecord(subject: string, createdAt: string): LexRecord {
  return { $type: collections.follow, subject, createdAt }
}

/** A post; with `reply`, a reply in that thread; with `tagged`, a post carrying a #donottrain tag facet. */
export function postRecord(
  rng: Rng,
  createdAt: string,
  opts: { reply?: { root: StrongRef; parent: StrongRef }; tagged?: boolean } = {},
): LexRecord {
  let text = sentence(rng, 3, 40)
  const record: LexRecord = { $type: collections.post, text, langs: ['en'], createdAt }
  if (opts.tagged) {
    const prefix = `${text} `
    text = `${prefix}#${DONOTTRAIN_TAG}`
    const byteStart = utf8Length(prefix)
    record.text = text
    record.facets = [
      {
        index: { byteStart, byteEnd: byteStart + utf8Length(`#${DONOTTRAIN_TAG}`) },
        features: [{ $type: bskyIds.facetTag, tag: DONOTTRAIN_TAG }],
      },
    ]
  }
  if (opts.reply) record.reply = opts.reply
  return record
}

/** The profile record; with `tagged`, its description holds #donottrain. */
export function profileRecord(rng: Rng, handle: string, createdAt: string, tagged: boolean): LexRecord {
  const description = tagged ? `${sentence(rng, 3, 15)} #${DONOTTRAIN_TAG}` : sentence(rng, 3, 20)
  return { $type: collections.profile, displayName: handle.split('.')[0], description, createdAt }
}

const PREFERENCE_SETS: ReadonlyArray<Record<string, 'allow' | 'deny'>> = [
  { trainAi: 'deny' },
  { trainAi: 'deny' },
  { trainAi: 'deny', aiInput: 'deny' },
  { trainGenai: 'deny', search: 'allow' },
  { trainAi: 'deny', trainGenai: 'deny', aiInput: 'deny', search: 'allow' },
  { trainAi: 'allow', aiInput: 'deny' },
]

export type DeclarationScopeKind = 'account' | 'record' | 'collection' | 'origin'

/**
 * An `ai.donottrain.declaration` record. Account scope belongs at rkey 'self' only; record scope
 * needs a subject in the same repository (pass one of the account's own posts).
 */
export function declarationRecord(
  rng: Rng,
  scope: DeclarationScopeKind,
  createdAt: string,
  ctx: { handle: string; ownPost?: StrongRef },
): LexRecord {
  const record: LexRecord = {
    $type: collections.declaration,
    scope:
      scope === 'account'
        ? scopes.account()
        : scope === 'record' && ctx.ownPost
          ? scopes.record(ctx.ownPost)
          : scope === 'origin'
            ? scopes.origin(`https://${ctx.handle}`)
            : scopes.collection(collections.post),
    preferences: { ...rng.pick(PREFERENCE_SETS) },
    createdAt,
  }
  if (rng.chance(0.3)) record.statement = sentence(rng, 4, 20)
  if (rng.chance(0.1)) record.licenseUri = `https://${ctx.handle}/licensing`
  return record
}
