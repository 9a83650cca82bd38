import type { AtpAgent } from '@atproto/api'
import type { SessionContext } from './context.js'
import { type DeclareInput, type DeclareResult, declare } from './declare.js'
import { SessionExpiredError } from './errors.js'
import { type FeedGeneratorInput, type FeedGeneratorResult, publishFeedGenerator } from './feed.js'
import { type DeclarationList, listDeclarations } from './list.js'
import { type PostOptions, type PostResult, post } from './post.js'
import { type ProfileTagResult, tagProfile, untagProfile } from './profile.js'
import type { IdentityResolver } from './resolve.js'
import { type RevokeResult, type RevokeTarget, revoke } from './revoke.js'
import type { ClientOptions, StoredSession } from './session.js'
import { type StatusOptions, type StatusResult, status } from './status.js'

/** Which kind of password made the session, from the access token's scope. */
export type PasswordKind = 'app' | 'account' | 'unknown'

/** A signed-in account. Create one with login() or resumeSession(). */
export class DonottrainClient {
  readonly #agent: AtpAgent
  readonly #resolver: IdentityResolver
  readonly #opts: ClientOptions

  constructor(agent: AtpAgent, resolver: IdentityResolver, opts: ClientOptions = {}) {
    if (!agent.session) throw new Error('agent has no session')
    this.#agent = agent
    this.#resolver = resolver
    this.#opts = opts
  }

  get did(): string {
    return this.#session().did
  }

  get handle(): string {
    return this.#session().handle
  }

  /** The URL the session was made at (the PDS, or an entryway in front of it). */
  get service(): string {
    return this.#agent.serviceUrl.toString().replace(/\/$/, '')
  }

  /** The current tokens, to save and later pass to resumeSession(). */
  get session(): StoredSession {
    return { service: this.service, ...this.#session() }
  }

  /** 'app' for an app password, 'account' for the main password (an app password is safer). */
  get passwordKind(): PasswordKind {
    return passwordKindOf(this.#session().accessJwt)
  }

  /** Publishes (or updates) a declaration; see DeclareInput. */
  declare(input: DeclareInput = {}): Promise<DeclareResult> {
    return declare(this.#ctx(), input)
  }

  /** Deletes the declaration(s) for a scope, one rkey, or all; default the account-wide one. */
  revoke(target?: RevokeTarget): Promise<RevokeResult> {
    return revoke(this.#ctx(), target)
  }

  /** This account's declaration records, each validated, with URI and CID. */
  list(): Promise<DeclarationList> {
    const ctx = this.#ctx()
    return listDeclarations(ctx.agent, ctx.service, ctx.did)
  }

  /** The combined verdict for any account, collection or record (default: this account). */
  status(subject: string = this.did, opts: StatusOptions = {}): Promise<StatusResult> {
    return status(subject, {
      resolver: this.#resolver,
      // This session's own PDS is configuration, trusted like the service it signed in at.
      service: (this.#agent.pdsUrl ?? this.#agent.serviceUrl).toString(),
      ...(this.#opts.fetch ? { fetch: this.#opts.fetch } : {}),
      ...(this.#opts.timeoutMs ? { timeoutMs: this.#opts.timeoutMs } : {}),
      ...opts,
    })
  }

  /** Publishes a Bluesky post; `{ donottrain: true }` makes sure it carries a #donottrain tag facet. */
  post(text: string, opts: PostOptions = {}): Promise<PostResult> {
    return post(this.#ctx(), text, opts)
  }

  /** Adds #donottrain to the profile description, keeping every other profile field. */
  tagProfile(): Promise<ProfileTagResult> {
    return tagProfile(this.#ctx())
  }

  /** Removes #donottrain from the profile description, and nothing else. */
  untagProfile(): Promise<ProfileTagResult> {
    return untagProfile(this.#ctx())
  }

  /** Publishes the app.bsky.feed.generator record pointing at an indexer's #donottrain feed. */
  publishFeedGenerator(input: FeedGeneratorInput): Promise<FeedGeneratorResult> {
    return publishFeedGenerator(this.#ctx(), input)
  }

  /** Ends the session at the PDS (best effort) and forgets the tokens. */
  async logout(): Promise<void> {
    await this.#agent.logout()
  }

  #session() {
    const session = this.#agent.session
    if (!session) throw new SessionExpiredError('signed out, sign in again')
    return session
  }

  #ctx(): SessionContext {
    const { did, handle } = this.#session()
    return {
      agent: this.#agent,
      did,
      handle,
      service: (this.#agent.pdsUrl ?? this.#agent.serviceUrl).toString().replace(/\/$/, ''),
      resolver: this.#resolver,
      fetch: this.#opts.fetch ?? globalThis.fetch,
      originTimeoutMs: this.#opts.originTimeoutMs,
    }
  }
}

/** Reads the scope claim of an access token (without verifying it: the PDS does that). */
export function passwordKindOf(accessJwt: string): PasswordKind {
  try {
    const payload = JSON.parse(Buffer.from(accessJwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      scope?: unknown
    }
    if (payload.scope === 'com.atproto.access') return 'account'
    if (payload.scope === 'com.atproto.appPass' || payload.scope === 'com.atproto.appPassPrivileged') return 'app'
  } catch {
    // Not a JWT we can read: say so.
  }
  return 'unknown'
}
