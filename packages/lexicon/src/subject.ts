import { bskyIds } from './nsid.js'
import { err, ok, type Result } from './result.js'
import { isValidAtUri, isValidDid, isValidHandle, isValidNsid, isValidRecordKey } from './syntax.js'

/** Longest subject string accepted; longer input is rejected before any parsing. */
export const MAX_SUBJECT_LENGTH = 8192

/** An account named by DID or by handle (a handle still has to be resolved to a DID). */
export type ActorRef = { did: string } | { handle: string }

export type Subject =
  | { kind: 'account'; input: string; actor: ActorRef }
  | { kind: 'collection'; input: string; actor: ActorRef; collection: string }
  | { kind: 'record'; input: string; actor: ActorRef; collection: string; rkey: string }
  | { kind: 'blob'; input: string; actor: { did: string }; cid: string }
  | { kind: 'web'; input: string; url: string; origin: string; host: string }

export type SubjectKind = Subject['kind']

export class InvalidSubjectError extends Error {
  override name = 'InvalidSubjectError'
  readonly code = 'InvalidSubject'
  constructor(
    message: string,
    readonly input: string,
  ) {
    super(message)
  }
}

// bsky.app web paths that name records: /profile/<actor>/<segment>/<rkey>
const BSKY_APP_HOSTS = new Set(['bsky.app', 'www.bsky.app', 'staging.bsky.app', 'main.bsky.dev'])
const BSKY_APP_RECORD_SEGMENTS: Record<string, string> = {
  post: bskyIds.post,
  feed: bskyIds.feedGenerator,
  lists: bskyIds.list,
  'start-pack': bskyIds.starterpack,
}
const BSKY_IMAGE_CDN_HOSTS = new Set(['cdn.bsky.app', 'av-cdn.bsky.app'])
const BSKY_VIDEO_HOSTS = new Set(['video.bsky.app', 'video.cdn.bsky.app'])
const CID_PATTERN = /^[a-zA-Z0-9]{8,256}$/

/**
 * Parses any string a crawler may hold into a typed subject: a DID, a handle (with or without
 * a leading '@'), an at-uri of an account, collection or record, a bsky.app profile or post URL,
 * a Bluesky CDN image or video URL (which embeds the uploader's DID), or any other http(s) URL.
 */
export function parseSubject(raw: string): Result<Subject, InvalidSubjectError> {
  if (typeof raw !== 'string') return fail('subject must be a string', String(raw))
  if (raw.length > MAX_SUBJECT_LENGTH) {
    return fail(`subject too long length=${raw.length} max=${MAX_SUBJECT_LENGTH}`, raw.slice(0, 64))
  }
  // No trimming: a subject is matched exactly, as the crawler holds it.
  const input = raw
  if (input === '') return fail('subject is empty', raw)
  if (/\s/.test(input)) return fail('subject contains whitespace', input)
  if (input.startsWith('did:')) {
    return isValidDid(input) ? ok({ kind: 'account', input, actor: { did: input } }) : fail('invalid did', input)
  }
  if (input.startsWith('at://')) return parseAtUri(input)
  if (/^https?:\/\//i.test(input)) return parseUrl(input)
  if (/^[a-z][a-z0-9+.-]*:/i.test(input)) return fail('unsupported scheme', input)
  const handle = input.startsWith('@') ? input.slice(1) : input
  if (isValidHandle(handle)) return ok({ kind: 'account', input, actor: { handle: handle.toLowerCase() } })
  return fail('not a did, handle, at-uri or http(s) url', input)
}

function parseAtUri(input: string): Result<Subject, InvalidSubjectError> {
  if (!isValidAtUri(input)) return fail('invalid at-uri', input)
  const [authority = '', collection, rkey, ...rest] = input.slice('at://'.length).split('/')
  const actor = actorRef(authority)
  if (!actor || rest.length > 0) return fail('invalid at-uri', input)
  if (collection === undefined) return ok({ kind: 'account', input, actor })
  if (!isValidNsid(collection)) return fail('invalid at-uri collection', input)
  if (rkey === undefined) return ok({ kind: 'collection', input, actor, collection })
  if (!isValidRecordKey(rkey)) return fail('invalid at-uri record key', input)
  return ok({ kind: 'record', input, actor, collection, rkey })
}

function parseUrl(input: string): Result<Subject, InvalidSubjectError> {
  let url: URL
  try {
    url = new URL(input)
  } catch {
    return fail('invalid url', input)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return fail('unsupported scheme', input)
  const host = url.hostname.toLowerCase()
  const segments = url.pathname
    .split('/')
    .filter((s) => s !== '')
    .map(safeDecode)
  if (BSKY_APP_HOSTS.has(host) && segments[0] === 'profile') return parseBskyAppPath(input, segments)
  if (BSKY_IMAGE_CDN_HOSTS.has(host) || BSKY_VIDEO_HOSTS.has(host)) {
    const blob = parseCdnPath(input, segments)
    if (blob) return blob
  }
  return ok({ kind: 'web', input, url: url.href, origin: url.origin, host })
}

// https://bsky.app/profile/<handle|did>[/post|feed|lists|start-pack/<rkey>]
function parseBskyAppPath(input: string, segments: Array<string | undefined>): Result<Subject, InvalidSubjectError> {
  const actor = actorRef(segments[1] ?? '')
  if (!actor) return fail('invalid account in bsky.app url', input)
  if (segments.length === 2) return ok({ kind: 'account', input, actor })
  const collection = BSKY_APP_RECORD_SEGMENTS[segments[2] ?? '']
  const rkey = segments[3]
  if (collection && rkey !== undefined && segments.length === 4 && isValidRecordKey(rkey)) {
    return ok({ kind: 'record', input, actor, collection, rkey })
  }
  // Other profile pages (followers, likes...) are about the account.
  if (!collection) return ok({ kind: 'account', input, actor })
  return fail('invalid record in bsky.app url', input)
}

// cdn.bsky.app/img/<preset>/plain/<did>/<cid>@<format>; video.bsky.app/watch/<did>/<cid>/...
function parseCdnPath(input: string, segments: Array<string | undefined>): Result<Subject, InvalidSubjectError> | null {
  const at = segments.findIndex((s) => s?.startsWith('did:'))
  if (at < 0) return null
  const did = segments[at] ?? ''
  const cid = (segments[at + 1] ?? '').split('@')[0] ?? ''
  if (!isValidDid(did)) return fail('invalid did in cdn url', input)
  if (!CID_PATTERN.test(cid)) return fail('invalid blob cid in cdn url', input)
  return ok({ kind: 'blob', input, actor: { did }, cid })
}

function actorRef(authority: string): ActorRef | null {
  if (authority.startsWith('did:')) return isValidDid(authority) ? { did: authority } : null
  return isValidHandle(authority) ? { handle: authority.toLowerCase() } : null
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

function fail(message: string, input: string): { ok: false; error: InvalidSubjectError } {
  return err(new InvalidSubjectError(message, input))
}
