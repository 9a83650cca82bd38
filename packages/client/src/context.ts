import type { AtpAgent } from '@atproto/api'
import type { IdentityResolver } from './resolve.js'

/** What every signed-in operation needs: the agent, who is signed in, and how to reach things. */
export interface SessionContext {
  agent: AtpAgent
  did: string
  handle: string
  /** The PDS URL the session talks to. */
  service: string
  resolver: IdentityResolver
  fetch: typeof globalThis.fetch
  originTimeoutMs: number | undefined
}
