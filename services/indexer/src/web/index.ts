import type { IncomingMessage, ServerResponse } from 'node:http'
import { bskyIds, ids } from '@donottrain/lexicon'
import type { ApiContext } from '../api/context.js'
import { statusOf } from '../api/status.js'
import { DEFAULT_ASSETS_DIR, readAsset } from './assets.js'
import { type CheckResult, checkBody } from './check-page.js'
import { CLIENT_METADATA_PATH, clientIdOf, clientMetadata } from './client-metadata.js'
import { PAGE_HEADERS, page } from './layout.js'
import { publishBody } from './publish-page.js'
import { SITE_CSS } from './styles.js'

export { CLIENT_METADATA_PATH, clientMetadata } from './client-metadata.js'
export { escapeHtml, html, SafeHtml } from './html.js'

type Route = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>

export interface WebOptions {
  /** The API's read side: the Check page answers with the same code as ai.donottrain.getStatus. */
  api: Pick<ApiContext, 'queries' | 'lookupHandles'>
  /**
   * INDEXER_PUBLIC_URL. An https URL makes the publish page a discoverable OAuth client (its
   * metadata at /oauth/client-metadata.json); null or http: a loopback client, for local use only.
   */
  publicUrl: string | null
  /** The PLC directory the pages read DID documents from (INDEXER_PLC_URL). */
  plcUrl: string
  /** A service answering com.atproto.identity.resolveHandle for the sign-in (default the Bluesky AppView). */
  handleResolver?: string
  /** Dev and tests only: let the browser's OAuth client talk to http OAuth servers (a local PDS). */
  allowHttp?: boolean
  /** Where the built page scripts are (default dist/web/assets of this package). */
  assetsDir?: string
}

/** The scope the publish page asks for: write declarations and the profile (for the bio tag), nothing else. */
export const PUBLISH_SCOPE = `atproto repo:${ids.AiDonottrainDeclaration} repo:${bskyIds.profile}`
export const DEFAULT_HANDLE_RESOLVER = 'https://public.api.bsky.app'

/**
 * The web pages, as routes for createHttpServer: `/` and `/check` (Check, server-rendered),
 * `/publish`, `/assets/*`, and `/oauth/client-metadata.json` when the public URL is https.
 */
export function createWebRoutes(opts: WebOptions): Route[] {
  const assetsDir = opts.assetsDir ?? DEFAULT_ASSETS_DIR
  const publicUrl = opts.publicUrl?.startsWith('https://') ? opts.publicUrl.replace(/\/$/, '') : null
  const checkCfg = { proofEndpoint: `/xrpc/${ids.AiDonottrainGetProof}`, plcUrl: opts.plcUrl }
  const publishCfg = {
    clientId: publicUrl ? clientIdOf(publicUrl) : null,
    scope: PUBLISH_SCOPE,
    handleResolver: opts.handleResolver ?? DEFAULT_HANDLE_RESOLVER,
    plcUrl: opts.plcUrl,
    allowHttp: opts.allowHttp === true,
  }

  const route: Route = async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://local')
    const path = url.pathname
    const mine =
      path === '/' ||
      path === '/check' ||
      path === '/publish' ||
      path.startsWith('/assets/') ||
      (path === CLIENT_METADATA_PATH && publicUrl !== null)
    if (!mine) return false
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(req, res, 405, { 'content-type': 'text/plain; charset=utf-8', allow: 'GET, HEAD' }, 'method not allowed')
      return true
    }
    if (path === '/' || path === '/check') {
      const subject = (url.searchParams.get('subject') ?? '').trim()
      const result = subject === '' ? ({ kind: 'none' } as const) : await check(subject, opts.api)
      const body = page({
        title: 'Check',
        current: 'check',
        body: checkBody(subject, result, checkCfg),
        script: 'check.js',
      })
      send(req, res, result.kind === 'error' ? 400 : 200, PAGE_HEADERS, body)
      return true
    }
    if (path === '/publish') {
      const body = page({ title: 'Publish', current: 'publish', body: publishBody(publishCfg), script: 'publish.js' })
      send(req, res, 200, PAGE_HEADERS, body)
      return true
    }
    if (path === CLIENT_METADATA_PATH && publicUrl) {
      const body = JSON.stringify(clientMetadata(publicUrl, PUBLISH_SCOPE))
      send(req, res, 200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'max-age=300' }, body)
      return true
    }
    const name = path.slice('/assets/'.length)
    if (name === 'site.css') {
      send(req, res, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=300' }, SITE_CSS)
      return true
    }
    const asset = await readAsset(assetsDir, name)
    if (asset.ok) send(req, res, 200, { 'content-type': asset.type, 'cache-control': 'no-cache' }, asset.body)
    else send(req, res, asset.status, { 'content-type': 'text/plain; charset=utf-8' }, asset.message)
    return true
  }
  return [route]
}

async function check(subject: string, api: WebOptions['api']): Promise<CheckResult> {
  const [answer] = await statusOf([subject], api)
  if (!answer) return { kind: 'error', message: 'no answer' }
  if (!answer.ok) return { kind: 'error', message: answer.error.message ?? answer.error.error }
  return { kind: 'status', status: answer.status }
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string | Buffer,
): void {
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) })
  res.end(req.method === 'HEAD' ? undefined : body)
}
