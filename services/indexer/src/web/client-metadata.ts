/**
 * The OAuth client metadata document of a deployed indexer's publish page (atproto OAuth
 * "discoverable" client: the client id is this document's URL). A public browser client: no
 * secret, DPoP-bound tokens, redirect back to /publish.
 */
export function clientMetadata(publicUrl: string, scope: string): Record<string, unknown> {
  const base = publicUrl.replace(/\/$/, '')
  return {
    client_id: clientIdOf(base),
    client_name: '#donottrain',
    client_uri: base,
    redirect_uris: [`${base}/publish`],
    scope,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    application_type: 'web',
    dpop_bound_access_tokens: true,
  }
}

export const CLIENT_METADATA_PATH = '/oauth/client-metadata.json'

export const clientIdOf = (publicUrl: string): string => `${publicUrl.replace(/\/$/, '')}${CLIENT_METADATA_PATH}`
