/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import './buffer-global.js'
import type { Agent } from '@atproto/api'
import {
  atprotoLoopbackClientMetadata,
  BrowserOAuthClient,
  buildAtprotoLoopbackClientId,
  type OAuthSession,
} from '@atproto/oauth-client-browser'
import {
  type DeclarationEntry,
  type DonottrainClient,
  hasDonottrainTag,
  type PreferencesInput,
} from '@donottrain/client'
import { bskyIds, PURPOSES, renderVerdict, verdictFor } from '@donottrain/lexicon'
import { PURPOSE_WORDS, valueWords } from '../words.js'
import { clientForSession } from './oauth-agent.js'
import { pageConfig } from './page-config.js'

interface PublishConfig {
  clientId: string | null
  scope: string
  handleResolver: string
  plcUrl: string
  allowHttp: boolean
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id)
  if (!el) throw new Error(`missing element id=${id}`)
  return el as T
}

/** Shows a message in the live region (announced to screen readers). */
function say(text: string, kind: 'info' | 'ok' | 'error' = 'info'): void {
  const el = $('status')
  el.textContent = text
  el.className = kind === 'info' ? 'notice' : `notice ${kind}`
  el.hidden = false
  el.dataset.kind = kind
}

async function oauthClient(cfg: PublishConfig): Promise<BrowserOAuthClient> {
  const common = { handleResolver: cfg.handleResolver, plcDirectoryUrl: cfg.plcUrl, allowHttp: cfg.allowHttp }
  if (cfg.clientId) return BrowserOAuthClient.load({ clientId: cfg.clientId, ...common })
  // Local use: an atproto loopback client, redirecting back to this page on 127.0.0.1.
  const redirect = `http://127.0.0.1${location.port ? `:${location.port}` : ''}/publish` as const
  const clientId = buildAtprotoLoopbackClientId({ scope: cfg.scope as 'atproto', redirect_uris: [redirect] })
  return new BrowserOAuthClient({ clientMetadata: atprotoLoopbackClientMetadata(clientId), ...common })
}

async function main(): Promise<void> {
  const cfg = pageConfig<PublishConfig>()
  let oauth: BrowserOAuthClient
  let session: OAuthSession | undefined
  try {
    oauth = await oauthClient(cfg)
    session = (await oauth.init())?.session
  } catch (err) {
    say(`Sign-in failed: ${message(err)}`, 'error')
    $('signin').hidden = false
    return
  } finally {
    // Remove the OAuth response from the address bar (it is single-use anyway).
    if (location.hash || location.search) history.replaceState(null, '', location.pathname)
  }
  const signinForm = $<HTMLFormElement>('signin-form')
  signinForm.addEventListener('submit', (e) => {
    e.preventDefault()
    const handle = $<HTMLInputElement>('handle').value.trim().replace(/^@/, '')
    say('Taking you to your server to sign in…')
    oauth.signInRedirect(handle, { scope: cfg.scope }).catch((err: unknown) => {
      say(`Could not start the sign-in: ${message(err)}`, 'error')
    })
  })
  if (!session) {
    $('signin').hidden = false
    document.body.dataset.state = 'signed-out'
    return
  }
  const signed = session
  const { client, agent } = await clientForSession(signed)
  $('who').textContent = `@${client.handle}`
  $('account').hidden = false
  document.body.dataset.state = 'signed-in'
  $('signout').addEventListener('click', async () => {
    await oauth.revoke(signed.sub).catch(() => undefined)
    location.reload()
  })
  wireForm(client, agent)
  wireBio(client, agent)
  await refresh(client, agent)
}

function wireForm(client: DonottrainClient, agent: Agent): void {
  const form = $<HTMLFormElement>('publish-form')
  const toggle = () => {
    const scope = (form.elements.namedItem('scope') as RadioNodeList).value
    $('posts-field').hidden = scope !== 'posts'
    $('origin-field').hidden = scope !== 'origin'
  }
  form.addEventListener('change', toggle)
  toggle()
  form.addEventListener('submit', async (e) => {
    e.preventDefault()
    const data = new FormData(form)
    const preferences: PreferencesInput = {}
    for (const p of PURPOSES) {
      const v = data.get(p)
      if (v === 'allow' || v === 'deny') preferences[p] = v
    }
    const statement = String(data.get('statement') ?? '').trim()
    const licenseUri = String(data.get('license') ?? '').trim()
    const extra = { ...(statement && { statement }), ...(licenseUri && { licenseUri }) }
    const scope = String(data.get('scope'))
    const button = $<HTMLButtonElement>('publish')
    button.disabled = true
    say('Publishing…')
    try {
      const done: string[] = []
      if (scope === 'posts') {
        const links = String(data.get('posts') ?? '')
          .split(/\s+/)
          .filter((s) => s !== '')
        if (links.length === 0) throw new Error('add at least one post link')
        for (const uri of links) {
          const r = await client.declare({ scope: { type: 'record', uri }, preferences, ...extra })
          done.push(`${r.action} ${r.uri}`)
        }
      } else if (scope === 'origin') {
        const origin = String(data.get('origin') ?? '').trim()
        // The indexer verifies that the website is yours (a browser cannot read other sites' files).
        const r = await client.declare({ scope: { type: 'origin', origin }, preferences, ...extra, force: true })
        done.push(`${r.action} ${r.uri}`)
      } else {
        const r = await client.declare({ preferences, ...extra })
        done.push(`${r.action} ${r.uri}`)
      }
      say(`Done: ${done.join('; ')}. Crawlers that follow the network see it within seconds.`, 'ok')
      await refresh(client, agent)
    } catch (err) {
      say(`Not published: ${message(err)}`, 'error')
    } finally {
      button.disabled = false
    }
  })
}

function wireBio(client: DonottrainClient, agent: Agent): void {
  const run = async (add: boolean) => {
    say(add ? 'Adding #donottrain to your bio…' : 'Removing #donottrain from your bio…')
    try {
      const r = add ? await client.tagProfile() : await client.untagProfile()
      say(r.action === 'unchanged' ? 'Your bio was already like that.' : 'Your bio is updated.', 'ok')
      await refresh(client, agent)
    } catch (err) {
      say(`Your bio was not changed: ${message(err)}`, 'error')
    }
  }
  $('bio-add').addEventListener('click', () => void run(true))
  $('bio-remove').addEventListener('click', () => void run(false))
}

/** Whether the profile description carries #donottrain (read from the PDS, with Bluesky's tag rules). */
async function bioTagged(agent: Agent, did: string): Promise<boolean> {
  const res = await agent.com.atproto.repo
    .getRecord({ repo: did, collection: bskyIds.profile, rkey: 'self' })
    .catch(() => undefined)
  const description = (res?.data.value as { description?: unknown } | undefined)?.description
  return typeof description === 'string' && hasDonottrainTag(description)
}

/** Reads the account's declarations and bio from its PDS and shows them, each with a Revoke button. */
async function refresh(client: DonottrainClient, agent: Agent): Promise<void> {
  const [list, tagged] = await Promise.all([client.list(), bioTagged(agent, client.did)])
  const current = $('current')
  current.replaceChildren()
  const valid = list.entries.filter((e) => e.valid)
  if (valid.length === 0) {
    const p = document.createElement('p')
    p.textContent = 'You have not published a declaration yet.'
    current.append(p)
  } else {
    const ul = document.createElement('ul')
    ul.className = 'declarations'
    for (const entry of valid) ul.append(entryItem(client, agent, entry))
    current.append(ul)
  }
  $('bio-state').textContent = tagged ? 'has #donottrain' : 'does not have #donottrain'
  $('bio-state').dataset.tagged = String(tagged)
  current.dataset.count = String(valid.length)
}

function entryItem(client: DonottrainClient, agent: Agent, entry: DeclarationEntry & { valid: true }): HTMLLIElement {
  const li = document.createElement('li')
  li.dataset.uri = entry.uri
  const scope = entry.scope
  const what =
    scope.type === 'account'
      ? 'Your whole account'
      : scope.type === 'record'
        ? `One post: ${scope.uri}`
        : scope.type === 'collection'
          ? `Every ${scope.collection} record`
          : `Your website ${scope.origin}`
  const h = document.createElement('h3')
  h.textContent = what
  const prefs = document.createElement('p')
  prefs.textContent = PURPOSES.filter((p) => entry.preferences[p])
    .map((p) => `${PURPOSE_WORDS[p].label}: ${valueWords(entry.preferences[p]).word.toLowerCase()}`)
    .join(', ')
  li.append(h, prefs)
  if (entry.record.statement) {
    const q = document.createElement('blockquote')
    q.textContent = entry.record.statement
    li.append(q)
  }
  if (scope.type === 'origin') li.append(originSnippets(client.did, scope.origin, entry))
  const revoke = document.createElement('button')
  revoke.type = 'button'
  revoke.className = 'danger'
  revoke.textContent = 'Revoke'
  revoke.setAttribute('aria-label', `Revoke: ${what}`)
  revoke.addEventListener('click', async () => {
    revoke.disabled = true
    say('Revoking…')
    try {
      const r = await client.revoke({ rkey: entry.rkey })
      say(`Revoked ${r.revoked.length} declaration${r.revoked.length === 1 ? '' : 's'}.`, 'ok')
      await refresh(client, agent)
    } catch (err) {
      say(`Not revoked: ${message(err)}`, 'error')
      revoke.disabled = false
    }
  })
  const check = document.createElement('a')
  check.href = `/check?subject=${encodeURIComponent(scope.type === 'origin' ? scope.origin : entry.uri)}`
  check.textContent = 'See what crawlers see'
  const actions = document.createElement('div')
  actions.className = 'actions'
  actions.append(revoke, check)
  li.append(actions)
  return li
}

/** The snippets to put on the website, from this declaration alone (once the indexer verified the origin). */
function originSnippets(did: string, origin: string, entry: DeclarationEntry & { valid: true }): HTMLElement {
  const { verdict } = verdictFor({ kind: 'web', origin }, [
    { did, scope: { type: 'origin', origin, verified: true }, preferences: entry.preferences },
  ])
  const r = renderVerdict(verdict)
  const pre = document.createElement('pre')
  pre.textContent = [
    r.contentUsage && `Content-Usage: ${r.contentUsage}`,
    r.contentSignal && `Content-Signal: ${r.contentSignal}`,
    `<meta name="tdm-reservation" content="${r.tdmReservation}">`,
    r.robots && `<meta name="robots" content="${r.robots}">`,
  ]
    .filter(Boolean)
    .join('\n')
  const box = document.createElement('details')
  const summary = document.createElement('summary')
  summary.textContent = 'Snippets for your website (AIPREF, Content-Signal, TDMRep, robots)'
  box.append(summary, pre)
  return box
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

void main()
