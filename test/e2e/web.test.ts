import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type AiDonottrainDefs, bskyIds, ids, scopes } from '@donottrain/lexicon'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHandleLookup } from '../../services/indexer/src/api/handles.js'
import { Queries } from '../../services/indexer/src/db/queries.js'
import { createWebRoutes } from '../../services/indexer/src/web/index.js'
import { type LocalNetwork, startLocalNetwork, type TestAccount, waitFor } from '../src/index.js'
import { startTestIndexer, type TestIndexer } from './support/indexer.js'

type StatusView = AiDonottrainDefs.StatusView

const CHROMIUM = '/usr/bin/chromium'
const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)))
const shots = join(repoRoot, 'test', 'screenshots', 'web')
const now = () => new Date().toISOString()

/**
 * The web pages in headless Chromium (Debian's), against a real PDS + PLC and an in-process
 * indexer. The pages are served the way the indexer will mount them: createWebRoutes on a node:http
 * server, with everything else (/xrpc/*) passed to the indexer's own server.
 */
describe('web pages in a real browser', () => {
  let net: LocalNetwork
  let indexer: TestIndexer
  let web: Server
  let webUrl: string
  let browser: Browser
  let alice: TestAccount
  let bob: TestAccount
  let carol: TestAccount
  let aliceDecl: { uri: string; cid: string }

  const getStatus = async (subject: string): Promise<StatusView> => {
    const url = new URL(`/xrpc/${ids.AiDonottrainGetStatus}`, indexer.url)
    url.searchParams.set('subject', subject)
    const res = await fetch(url)
    expect(res.status, await res.clone().text()).toBe(200)
    return (await res.json()) as StatusView
  }
  const shot = async (page: Page, name: string) => {
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true })
  }
  const newPage = async (opts: { javaScriptEnabled?: boolean; mobile?: boolean } = {}) => {
    const context: BrowserContext = await browser.newContext({
      javaScriptEnabled: opts.javaScriptEnabled ?? true,
      viewport: opts.mobile ? { width: 390, height: 844 } : { width: 1100, height: 900 },
      ...(opts.mobile && { isMobile: true, hasTouch: true, deviceScaleFactor: 2 }),
    })
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (err) => errors.push(err.message))
    return { context, page, errors }
  }

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium not found at ${CHROMIUM}: install the Debian package (apt-get install -y chromium); ` +
          'the web tests never download a browser',
      )
    }
    mkdirSync(shots, { recursive: true })
    console.log(`web screenshots: ${shots}`)
    // The page scripts are bundled by the build script; the pages serve them from dist/web/assets.
    execFileSync(process.execPath, [join(repoRoot, 'services/indexer/scripts/build-web.mjs')], { stdio: 'pipe' })

    net = await startLocalNetwork()
    alice = await net.createAccount('web-alice')
    bob = await net.createAccount('web-bob')
    carol = await net.createAccount('web-carol')
    const resolveHandle = async (handle: string) => {
      const res = await alice.agent.com.atproto.identity.resolveHandle({ handle }).catch(() => null)
      return res?.data.did ?? null
    }
    indexer = await startTestIndexer(net, { overrides: { resolveHandle } })
    const routes = createWebRoutes({
      api: {
        queries: new Queries(indexer.store.kysely),
        lookupHandles: createHandleLookup({ resolve: resolveHandle, ttlMs: 0 }),
      },
      publicUrl: null,
      plcUrl: net.plcUrl,
      // .test handles resolve at the local PDS; its OAuth server is on plain http.
      handleResolver: net.pdsUrl,
      allowHttp: true,
    })
    web = createServer(async (req, res) => {
      try {
        for (const route of routes) if (await route(req, res)) return
        // Everything else is the indexer's (the XRPC API: getProof, getStatus).
        const upstream = await fetch(new URL(req.url ?? '/', indexer.url), { method: req.method ?? 'GET' })
        const body = Buffer.from(await upstream.arrayBuffer())
        res.writeHead(upstream.status, {
          'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream',
        })
        res.end(body)
      } catch (err) {
        res.writeHead(500)
        res.end(String(err))
      }
    })
    await new Promise<void>((done) => web.listen(0, '127.0.0.1', done))
    webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`

    // Alice declares for her whole account, with a statement that tries to inject markup.
    const put = await alice.agent.com.atproto.repo.putRecord({
      repo: alice.did,
      collection: ids.AiDonottrainDeclaration,
      rkey: 'self',
      record: {
        $type: ids.AiDonottrainDeclaration,
        scope: scopes.account(),
        preferences: { trainAi: 'deny', search: 'allow' },
        statement: 'My art is mine. <img src=x onerror="window.__xss=1"><script>window.__xss=2</script>',
        licenseUri: 'https://example.com/licensing',
        createdAt: now(),
      },
    })
    aliceDecl = put.data
    await waitFor(async () => (await getStatus(alice.did)).declarations.length === 1, {
      what: 'alice declaration indexed',
      timeoutMs: 20_000,
    })
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
  })

  afterAll(async () => {
    await browser?.close()
    await new Promise<void>((done) => (web ? web.close(() => done()) : done()))
    await indexer?.close()
    await net?.close()
  })

  it('checks an account without declarations: every use "No statement", and says it is not a permission', async () => {
    const { context, page, errors } = await newPage()
    await page.goto(webUrl)
    await page.getByLabel('Handle, post link, DID or website').fill(bob.handle)
    await page.getByRole('button', { name: 'Check' }).click()
    await page.waitForURL(/\/check\?subject=/)
    await expect.poll(() => page.locator('#result-h').textContent()).toContain(`@${bob.handle}`)
    const verdicts = await page.locator('ul.verdicts li').evaluateAll((lis) => lis.map((li) => li.textContent))
    expect(verdicts).toHaveLength(4)
    for (const v of verdicts) expect(v).toContain('No statement')
    expect(await page.locator('#decl-h').textContent()).toBe('No declarations found')
    expect(await page.locator('main').textContent()).toContain('That is not a permission')
    await shot(page, '01-check-no-declarations')
    expect(errors).toEqual([])
    await context.close()
  })

  it('checks an account with a declaration and verifies its proof in the browser', async () => {
    const { context, page, errors } = await newPage()
    await page.goto(`${webUrl}/check?subject=${encodeURIComponent(alice.handle)}`)
    const item = page.locator(`li[data-uri="${aliceDecl.uri}"]`)
    const mark = item.locator('.proof')
    await expect.poll(() => mark.getAttribute('data-proof-status'), { timeout: 15_000 }).toMatch(/^(verified|failed)$/)
    expect(await mark.textContent()).toContain('✓ Verified: signed by the account')
    expect(await mark.getAttribute('data-proof-status')).toBe('verified')
    expect(await page.locator('li[data-purpose="trainAi"]').getAttribute('data-verdict')).toBe('deny')
    expect(await page.locator('li[data-purpose="trainAi"]').textContent()).toContain('Not allowed')
    expect(await page.locator('li[data-purpose="search"]').textContent()).toContain('Allowed')
    expect(await page.locator('.summary').textContent()).toBe('Do not train AI on this content.')
    expect(await item.locator('h3').textContent()).toBe('A #donottrain declaration record')
    // The statement's markup is shown as text, never run.
    expect(await item.locator('blockquote').textContent()).toContain('<script>window.__xss=2</script>')
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined()
    expect(await item.getByRole('link', { name: 'https://example.com/licensing' }).count()).toBe(1)
    // The machine-readable forms of the same answer.
    await page.locator('#snippets summary').click()
    expect(await page.locator('#snippets').textContent()).toContain(
      'Content-Usage: train-ai=n, train-genai=n, search=y',
    )
    await shot(page, '02-check-declaration-verified')
    expect(errors).toEqual([])
    await context.close()
  })

  it('marks a proof that does not match as not verified (the page checks, it does not trust)', async () => {
    const { context, page } = await newPage()
    // The proof endpoint answers with one byte of the CAR flipped: the page must refuse it.
    await page.route(`**/xrpc/${ids.AiDonottrainGetProof}*`, async (route) => {
      const res = await route.fetch()
      const body = await res.body()
      const tampered = Buffer.from(body)
      tampered[tampered.length - 5] = (tampered[tampered.length - 5] ?? 0) ^ 0xff
      await route.fulfill({ response: res, body: tampered })
    })
    await page.goto(`${webUrl}/check?subject=${encodeURIComponent(alice.did)}`)
    const mark = page.locator(`li[data-uri="${aliceDecl.uri}"] .proof`)
    await expect.poll(() => mark.getAttribute('data-proof-status'), { timeout: 15_000 }).toBe('failed')
    expect(await mark.textContent()).toContain('Not verified')
    await shot(page, '03-check-proof-tampered')
    await context.close()
  })

  it('works without JavaScript: the form submits and the server renders the verdict', async () => {
    const { context, page } = await newPage({ javaScriptEnabled: false })
    await page.goto(webUrl)
    await page.getByLabel('Handle, post link, DID or website').fill(alice.handle)
    await page.keyboard.press('Enter')
    await page.waitForURL(/\/check\?subject=/)
    expect(await page.locator('li[data-purpose="trainAi"]').textContent()).toContain('Not allowed')
    expect(await page.locator('.proof').first().textContent()).toContain('needs JavaScript')
    await shot(page, '04-check-no-javascript')
    await context.close()
  })

  it('escapes a hostile subject everywhere it is shown', async () => {
    const { context, page, errors } = await newPage()
    const hostile = '"><script>window.__xss=3</script><img src=x onerror="window.__xss=4">'
    const res = await fetch(`${webUrl}/check?subject=${encodeURIComponent(hostile)}`)
    const body = await res.text()
    expect(res.status).toBe(400)
    expect(body).not.toContain('<script>window.__xss')
    expect(body).not.toContain('<img src=x')
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
    await page.goto(`${webUrl}/check?subject=${encodeURIComponent(hostile)}`)
    expect(await page.locator('#subject').inputValue()).toBe(hostile)
    expect(await page.locator('[role="alert"]').count()).toBe(1)
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined()
    await shot(page, '05-check-hostile-subject')
    expect(errors).toEqual([])
    await context.close()
  })

  it('is usable on a phone and by keyboard: no horizontal scroll, labelled controls, focus reaches the form', async () => {
    const { context, page } = await newPage({ mobile: true })
    await page.goto(`${webUrl}/check?subject=${encodeURIComponent(alice.handle)}`)
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content')
    const unlabelled = await page.evaluate(
      () =>
        [...document.querySelectorAll('input, select, textarea')].filter(
          (el) => !(el as HTMLInputElement).labels?.length,
        ).length,
    )
    expect(unlabelled).toBe(0)
    await shot(page, '06-check-phone')
    await context.close()
  })

  it('signs in with OAuth on the PDS page, publishes, tags the bio, and revokes; the indexer follows', async () => {
    const { context, page, errors } = await newPage()
    await page.goto(`${webUrl}/publish`)
    await page.getByLabel('Your handle').fill(carol.handle)
    await shot(page, '07-publish-signed-out')
    await page.getByRole('button', { name: 'Sign in' }).click()
    // The PDS's own authorization page (another origin): the password is typed there, not here.
    await page.waitForURL((u) => u.origin === new URL(net.pdsUrl).origin, { timeout: 15_000 })
    const password = page.locator('input[name="password"]')
    await password.waitFor({ timeout: 15_000 })
    const username = page.locator('input[name="username"]')
    if ((await username.inputValue()) === '') await username.fill(carol.handle)
    await password.fill(carol.password)
    await shot(page, '08-pds-sign-in')
    await page.locator('button[type="submit"]').first().click()
    const accept = page.getByRole('button', { name: /^(accept|authorize|allow)$/i })
    await accept.waitFor({ timeout: 15_000 })
    await shot(page, '09-pds-consent')
    await accept.click()
    await page.waitForURL((u) => u.origin === webUrl && u.pathname === '/publish', { timeout: 15_000 })
    await expect.poll(() => page.locator('#who').textContent(), { timeout: 15_000 }).toBe(`@${carol.handle}`)
    await expect.poll(() => page.locator('#current').getAttribute('data-count')).toBe('0')
    await shot(page, '10-publish-signed-in')

    // Publish for the whole account, with a statement and a licence link.
    await page.getByLabel('Statement (optional)').fill('Ask me first.')
    await page.getByLabel('Licensing link (optional)').fill('https://example.com/ask')
    await page.getByLabel(/^Use as AI input/).selectOption('deny')
    await page.getByRole('button', { name: 'Publish', exact: true }).click()
    await expect.poll(() => page.locator('#status').getAttribute('data-kind'), { timeout: 15_000 }).toBe('ok')
    expect(await page.locator('#status').textContent()).toContain('created')
    const indexed = await waitFor(
      async () => {
        const s = await getStatus(carol.did)
        return s.declarations.some((d) => d.source === 'declaration') && s
      },
      { what: 'carol declaration indexed', timeoutMs: 20_000 },
    )
    expect(indexed.verdict).toMatchObject({ trainAi: 'deny', aiInput: 'deny' })
    expect(indexed.declarations[0]).toMatchObject({ statement: 'Ask me first.', licenseUri: 'https://example.com/ask' })
    await expect.poll(() => page.locator('#current').getAttribute('data-count')).toBe('1')
    await shot(page, '11-publish-published')

    // Update: the same scope again, another statement: the record at rkey self is replaced.
    await page.getByLabel('Statement (optional)').fill('Ask me first, please.')
    await page.getByRole('button', { name: 'Publish', exact: true }).click()
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 15_000 }).toContain('updated')
    await waitFor(
      async () => (await getStatus(carol.did)).declarations.some((d) => d.statement === 'Ask me first, please.'),
      { what: 'update indexed', timeoutMs: 20_000 },
    )
    expect(await page.locator('#current').getAttribute('data-count')).toBe('1')

    // A website: published (the indexer verifies the binding, not the browser), with the snippets to put on it.
    await page.getByLabel('My website').check()
    await page.getByLabel('Website address').fill('https://example.com')
    await page.getByLabel('Statement (optional)').fill('')
    await page.getByLabel('Licensing link (optional)').fill('')
    await page.getByLabel(/^Use as AI input/).selectOption('')
    await page.getByRole('button', { name: 'Publish', exact: true }).click()
    await expect.poll(() => page.locator('#current').getAttribute('data-count'), { timeout: 15_000 }).toBe('2')
    const site = page.locator('#current li', { hasText: 'Your website https://example.com' })
    await site.locator('summary').click()
    expect(await site.locator('pre').textContent()).toBe(
      'Content-Usage: train-ai=n, train-genai=n\nContent-Signal: ai-train=no\n' +
        '<meta name="tdm-reservation" content="1">\n<meta name="robots" content="noai, noimageai">',
    )
    await waitFor(
      async () => {
        const rows = await indexer.store.kysely
          .selectFrom('declaration')
          .select(['scope_target', 'origin_verified'])
          .where('did', '=', carol.did)
          .where('scope_type', '=', 'origin')
          .execute()
        return rows.length === 1 && rows
      },
      { what: 'origin declaration indexed', timeoutMs: 20_000 },
    )
    // example.com is not carol's: stored, and never a verdict for the website.
    expect((await getStatus('https://example.com/')).declarations).toEqual([])
    await shot(page, '11b-publish-website')
    await site.getByRole('button', { name: /^Revoke/ }).click()
    await expect.poll(() => page.locator('#current').getAttribute('data-count'), { timeout: 15_000 }).toBe('1')

    // Particular posts: one of carol's posts, by its bsky.app link.
    const post = await carol.agent.com.atproto.repo.createRecord({
      repo: carol.did,
      collection: bskyIds.post,
      record: { $type: bskyIds.post, text: 'my drawing', createdAt: now() },
    })
    await page.getByLabel('Particular posts').check()
    await page
      .getByLabel('Post links, one per line')
      .fill(`https://bsky.app/profile/${carol.handle}/post/${post.data.uri.split('/').pop()}`)
    await page.getByRole('button', { name: 'Publish', exact: true }).click()
    await expect.poll(() => page.locator('#current').getAttribute('data-count'), { timeout: 15_000 }).toBe('2')
    await waitFor(
      async () =>
        (await getStatus(post.data.uri)).declarations.some(
          (d) => d.scope.$type === `${ids.AiDonottrainDefs}#recordTarget`,
        ),
      { what: 'post declaration indexed', timeoutMs: 20_000 },
    )
    await page.getByRole('button', { name: /^Revoke: One post/ }).click()
    await expect.poll(() => page.locator('#current').getAttribute('data-count'), { timeout: 15_000 }).toBe('1')
    await page.getByLabel('My whole account: everything I have posted or will post').check()

    // Bio tag: added to the profile description, seen by the indexer as a profileTag.
    await page.getByRole('button', { name: 'Add #donottrain to my bio' }).click()
    await expect.poll(() => page.locator('#bio-state').getAttribute('data-tagged'), { timeout: 15_000 }).toBe('true')
    const profile = await carol.agent.com.atproto.repo.getRecord({
      repo: carol.did,
      collection: bskyIds.profile,
      rkey: 'self',
    })
    expect((profile.data.value as { description?: string }).description).toBe('#donottrain')
    await waitFor(async () => (await getStatus(carol.did)).declarations.some((d) => d.source === 'profileTag'), {
      what: 'bio tag indexed',
      timeoutMs: 20_000,
    })
    // The Check page verifies the bio's proof too (the profile record, signed by carol's repository).
    const checker = await newPage()
    await checker.page.goto(`${webUrl}/check?subject=${encodeURIComponent(carol.did)}`)
    const bioMark = checker.page.locator('li[data-source="profileTag"] .proof')
    await expect
      .poll(() => bioMark.getAttribute('data-proof-status'), { timeout: 15_000 })
      .toMatch(/^(verified|failed)$/)
    expect(await bioMark.textContent()).toContain('✓ Verified')
    expect(await checker.page.locator('li[data-source="profileTag"] h3').textContent()).toBe(
      '#donottrain in the profile bio',
    )
    await shot(checker.page, '11c-check-bio-tag-verified')
    await checker.context.close()
    await page.getByRole('button', { name: 'Remove #donottrain from my bio' }).click()
    await expect.poll(() => page.locator('#bio-state').getAttribute('data-tagged'), { timeout: 15_000 }).toBe('false')

    // Revoke: the record is deleted at the PDS, and the indexer drops it.
    await page.getByRole('button', { name: 'Revoke: Your whole account' }).click()
    await expect.poll(() => page.locator('#current').getAttribute('data-count'), { timeout: 15_000 }).toBe('0')
    await waitFor(async () => (await getStatus(carol.did)).declarations.length === 0, {
      what: 'revocation indexed',
      timeoutMs: 20_000,
    })
    await shot(page, '12-publish-revoked')
    expect(errors).toEqual([])
    await context.close()
  })
})
