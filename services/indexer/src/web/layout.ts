import { html, type SafeHtml } from './html.js'

export interface PageOptions {
  title: string
  /** Which navigation entry is the current page. */
  current: 'check' | 'publish'
  body: SafeHtml
  /** Page script under /assets/ (a bundle built by scripts/build-web.mjs), if any. */
  script?: string
}

/** The page shell: skip link, header navigation, main landmark, footer. */
export function page(opts: PageOptions): string {
  const nav = (href: string, key: PageOptions['current'], label: string) =>
    html`<a href="${href}"${opts.current === key ? html` aria-current="page"` : ''}>${label}</a>`
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${opts.title} · #donottrain</title>
<link rel="stylesheet" href="/assets/site.css">
${opts.script ? html`<script type="module" src="/assets/${opts.script}"></script>` : ''}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site">
<p class="brand"><a href="/">#donottrain</a></p>
<nav aria-label="Main">${nav('/', 'check', 'Check')} ${nav('/publish', 'publish', 'Publish your opt-out')}</nav>
</header>
<main id="main" tabindex="-1">
${opts.body}
</main>
<footer class="site"><p>Declarations are records in each account's own signed atproto repository. This indexer only
collects them; the page checks their signatures itself.</p></footer>
</body>
</html>
`.value
}

/**
 * Security headers for every page: scripts only from this origin (no inline script), no framing.
 * connect-src stays open: the publish page talks to the user's own PDS and its OAuth server.
 */
export const PAGE_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src *; " +
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
}
