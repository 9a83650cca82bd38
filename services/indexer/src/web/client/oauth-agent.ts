/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { Agent, type AtpAgent } from '@atproto/api'
import type { OAuthSession } from '@atproto/oauth-client-browser'
import { DonottrainClient, type IdentityResolver } from '@donottrain/client'

/**
 * An @atproto/api Agent over an OAuth session, shaped as the AtpAgent that DonottrainClient
 * expects: DonottrainClient reads `session` (DID, handle) and `serviceUrl`/`pdsUrl`, and makes its
 * calls through the agent, whose requests the OAuth session signs (DPoP). There are no tokens
 * here: `accessJwt` is empty, and the client's passwordKind is 'unknown'.
 */
class OAuthAgent extends Agent {
  constructor(
    oauth: OAuthSession,
    private readonly handle: string,
    readonly pdsUrl: URL,
  ) {
    super(oauth)
  }

  get session() {
    return { did: this.assertDid, handle: this.handle, accessJwt: '', refreshJwt: '', active: true }
  }

  get serviceUrl(): URL {
    return this.pdsUrl
  }
}

/** A DonottrainClient (publish, update, revoke, bio tag) acting with an OAuth session. */
export async function clientForSession(oauth: OAuthSession): Promise<{ client: DonottrainClient; agent: Agent }> {
  const info = await oauth.getTokenInfo()
  const probe = new Agent(oauth)
  const repo = await probe.com.atproto.repo.describeRepo({ repo: oauth.did })
  const agent = new OAuthAgent(oauth, repo.data.handle, new URL(info.aud))
  const resolver: IdentityResolver = {
    resolveHandle: (handle) =>
      agent.com.atproto.identity.resolveHandle({ handle }).then(
        (r) => r.data.did,
        () => undefined,
      ),
    // Only signed-in operations are used here; none needs another account's DID document.
    resolveDid: async () => undefined,
  }
  return { client: new DonottrainClient(agent as unknown as AtpAgent, resolver), agent }
}
