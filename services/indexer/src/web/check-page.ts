import { type AiDonottrainDefs, PURPOSES } from '@donottrain/lexicon'
import { html, jsonForScript, type SafeHtml } from './html.js'
import { PURPOSE_WORDS, SOURCE_WORDS, valueWords } from './words.js'

type StatusView = AiDonottrainDefs.StatusView
type DeclarationView = AiDonottrainDefs.DeclarationView

export type CheckResult = { kind: 'none' } | { kind: 'status'; status: StatusView } | { kind: 'error'; message: string }

export interface CheckPageConfig {
  /** The ai.donottrain.getProof endpoint, for the page script. */
  proofEndpoint: string
  plcUrl: string
}

/** The Check page: the form (plain GET, works without JavaScript) and, asked, the answer. */
export function checkBody(subject: string, result: CheckResult, cfg: CheckPageConfig): SafeHtml {
  return html`<h1>Check an account, a post or a website</h1>
<p>See whether someone said <strong>#donottrain</strong>: do not use their content to train AI.</p>
<form class="check" method="get" action="/check" role="search">
<div class="field">
<label for="subject">Handle, post link, DID or website</label>
<input type="text" id="subject" name="subject" value="${subject}" required maxlength="8192"
 autocomplete="off" autocapitalize="none" spellcheck="false" aria-describedby="subject-hint">
<p class="hint" id="subject-hint">For example <code>alice.bsky.social</code>, a bsky.app post link, or <code>https://example.com</code>.</p>
</div>
<button type="submit">Check</button>
</form>
${result.kind === 'error' ? html`<section aria-labelledby="result-h"><h2 id="result-h">Could not check that</h2><p class="notice error" role="alert">${result.message}</p></section>` : ''}
${result.kind === 'status' ? statusSection(result.status) : ''}
<script type="application/json" id="page-config">${jsonForScript(cfg)}</script>`
}

function statusSection(status: StatusView): SafeHtml {
  const { verdict, declarations } = status
  const values = PURPOSES.map((p) => verdict[p])
  const anyStatement = values.some((v) => v === 'deny' || v === 'allow')
  return html`<section aria-labelledby="result-h" id="result">
<h2 id="result-h">Result for ${subjectWords(status.subject)}</h2>
${status.accountActive === false ? html`<p class="notice">This account is deactivated or suspended; its declarations still stand.</p>` : ''}
<p class="summary">${summary(verdict)}</p>
<ul class="verdicts" aria-label="Verdict per use">
${PURPOSES.map((p) => {
  const v = valueWords(verdict[p])
  return html`<li class="${v.css}" data-purpose="${p}" data-verdict="${verdict[p]}"><span class="verdict-word">${v.word}:</span> ${PURPOSE_WORDS[p].label}<br><span class="meta">${PURPOSE_WORDS[p].detail}</span></li>`
})}
</ul>
<h2 id="decl-h">${declarations.length === 0 ? 'No declarations found' : `Declarations behind this answer (${declarations.length})`}</h2>
${
  declarations.length === 0
    ? html`<p>This indexer knows no #donottrain declaration for this. That is not a permission: the person may have said it elsewhere.</p>`
    : html`<ol class="declarations" aria-labelledby="decl-h">${declarations.map(declarationItem)}</ol>`
}
${anyStatement ? renderingsSection(status) : ''}
</section>`
}

function summary(verdict: StatusView['verdict']): string {
  if (verdict.trainAi === 'deny') return 'Do not train AI on this content.'
  if (verdict.trainGenai === 'deny') return 'Do not train generative AI on this content.'
  if (PURPOSES.every((p) => verdict[p] === 'unknown')) return 'No statement was found about AI use of this content.'
  return 'The owner made a statement about some uses; see each one below.'
}

function subjectWords(s: StatusView['subject']): SafeHtml {
  const who = s.handle ? `@${s.handle}` : (s.did ?? s.input)
  switch (s.kind) {
    case 'record':
      return html`a post or record by <span class="who">${who}</span> <span class="meta">(${s.uri ?? s.input})</span>`
    case 'collection':
      return html`the ${s.collection ?? ''} records of <span class="who">${who}</span>`
    case 'web':
      return html`the website <span class="who">${s.origin ?? s.input}</span>`
    default:
      return html`<span class="who">${who}</span>${s.did && s.handle ? html` <span class="meta">(${s.did})</span>` : ''}`
  }
}

function declarationItem(d: DeclarationView): SafeHtml {
  const prefs = PURPOSES.filter((p) => d.preferences[p] === 'deny' || d.preferences[p] === 'allow')
  return html`<li data-uri="${d.uri}" data-cid="${d.cid}" data-did="${d.did}" data-source="${d.source}">
<h3>${SOURCE_WORDS[d.source] ?? d.source}</h3>
<p>Covers ${scopeWords(d)}.</p>
<p>${prefs.map((p, i) => html`${i > 0 ? ', ' : ''}${PURPOSE_WORDS[p].label}: <strong>${valueWords(d.preferences[p]).word.toLowerCase()}</strong>`)}</p>
${d.statement ? html`<blockquote><p>${d.statement}</p></blockquote>` : ''}
${d.licenseUri ? html`<p>Licensing: ${link(d.licenseUri)}</p>` : ''}
<p class="meta">Record <code>${d.uri}</code>${d.createdAt ? html`, written ${d.createdAt.slice(0, 10)}` : ''}</p>
<p class="proof" data-proof-status="unchecked">Signature not checked here: checking it needs JavaScript.</p>
</li>`
}

function scopeWords(d: DeclarationView): SafeHtml {
  const scope = d.scope as { $type?: string; collection?: string; uri?: string; origin?: string }
  const type = scope.$type?.split('#')[1]
  if (type === 'accountScope') return html`everything this account posts`
  if (type === 'collectionScope') return html`every <code>${scope.collection ?? ''}</code> record`
  if (type === 'recordTarget') return html`one record: <code>${scope.uri ?? ''}</code>`
  if (type === 'originScope') {
    return html`the website ${scope.origin ?? ''} (${d.originVerified ? 'ownership verified' : 'ownership not verified'})`
  }
  return html`an unknown scope`
}

/** A link only for https and mailto URIs (the value is the author's, not ours); anything else is text. */
function link(uri: string): SafeHtml {
  return /^(https:\/\/|mailto:)/i.test(uri) ? html`<a href="${uri}" rel="nofollow noopener">${uri}</a>` : html`${uri}`
}

function renderingsSection(status: StatusView): SafeHtml {
  const r = status.renderings
  const own = status.subject.kind === 'web'
  const body = html`<p>${own ? 'Put these on your website so crawlers that do not read atproto still get the message.' : 'The same answer in the formats crawlers read.'}</p>
<dl class="snippets">
${r.contentUsage ? html`<dt>AIPREF <code>Content-Usage</code> HTTP header</dt><dd><pre>Content-Usage: ${r.contentUsage}</pre></dd>` : ''}
${r.contentSignal ? html`<dt>Cloudflare <code>Content-Signal</code> (robots.txt)</dt><dd><pre>User-agent: *\nContent-Signal: ${r.contentSignal}</pre></dd>` : ''}
<dt>W3C TDMRep</dt><dd><pre>&lt;meta name="tdm-reservation" content="${String(r.tdmReservation)}"&gt;</pre></dd>
${r.robots ? html`<dt>Robots meta tag</dt><dd><pre>&lt;meta name="robots" content="${r.robots}"&gt;</pre></dd>` : ''}
</dl>`
  return own
    ? html`<h2 id="snippets-h">For your website</h2><div id="snippets">${body}</div>`
    : html`<details id="snippets"><summary>Machine-readable forms (AIPREF, Content-Signal, TDMRep, robots)</summary>${body}</details>`
}
