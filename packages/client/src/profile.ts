import { bskyIds } from '@donottrain/lexicon'
import type { SessionContext } from './context.js'
import { InvalidInputError } from './errors.js'
import { graphemeLength, hasDonottrainTag, withDonottrainTag, withoutDonottrainTag } from './hashtag.js'
import { call, callOrMissing } from './xrpc.js'

/** The profile record's key (app.bsky.actor.profile is a singleton). */
export const PROFILE_RKEY = 'self'
/** app.bsky.actor.profile description limit. */
export const DESCRIPTION_MAX_GRAPHEMES = 256

export interface ProfileTagResult {
  /** 'unchanged' when the description already was as asked: nothing was written. */
  action: 'updated' | 'created' | 'unchanged'
  uri: string
  cid: string | undefined
  description: string
}

/** Adds #donottrain to the profile description; every other profile field is kept as it is. */
export function tagProfile(ctx: SessionContext): Promise<ProfileTagResult> {
  return editDescription(ctx, (d) => (hasDonottrainTag(d) ? d : withDonottrainTag(d)))
}

/** Removes #donottrain (only the tag and the space before it) from the profile description. */
export function untagProfile(ctx: SessionContext): Promise<ProfileTagResult> {
  return editDescription(ctx, withoutDonottrainTag)
}

/**
 * Read, modify, write: the profile is read raw, only `description` changes, and the write is
 * compare-and-swap on the CID read, so a concurrent profile edit is never overwritten.
 */
async function editDescription(ctx: SessionContext, edit: (d: string) => string): Promise<ProfileTagResult> {
  const uri = `at://${ctx.did}/${bskyIds.profile}/${PROFILE_RKEY}`
  const current = await callOrMissing(ctx.service, () =>
    ctx.agent.com.atproto.repo.getRecord({ repo: ctx.did, collection: bskyIds.profile, rkey: PROFILE_RKEY }),
  )
  const value = (current?.data.value ?? { $type: bskyIds.profile }) as Record<string, unknown>
  const before = typeof value.description === 'string' ? value.description : ''
  const description = edit(before)
  if (description === before) return { action: 'unchanged', uri, cid: current?.data.cid, description }
  if (graphemeLength(description) > DESCRIPTION_MAX_GRAPHEMES) {
    throw new InvalidInputError(
      `profile description would be too long graphemes=${graphemeLength(description)} max=${DESCRIPTION_MAX_GRAPHEMES}`,
    )
  }
  const record: Record<string, unknown> = { ...value, $type: bskyIds.profile }
  if (description === '') delete record.description
  else record.description = description
  const res = await call(ctx.service, 'write', () =>
    ctx.agent.com.atproto.repo.putRecord({
      repo: ctx.did,
      collection: bskyIds.profile,
      rkey: PROFILE_RKEY,
      record,
      swapRecord: current?.data.cid ?? null,
    }),
  )
  return { action: current ? 'updated' : 'created', uri: res.data.uri, cid: res.data.cid, description }
}
