import { PURPOSES } from '@donottrain/lexicon'
import { html, jsonForScript, type SafeHtml } from './html.js'
import { PURPOSE_WORDS } from './words.js'

/** What the publish script needs to know, rendered into the page as JSON. */
export interface PublishPageConfig {
  /** The OAuth client id: the metadata document URL of a deployment, or null for a loopback client. */
  clientId: string | null
  /** The OAuth scope asked for. */
  scope: string
  /** A service answering com.atproto.identity.resolveHandle (handles are then checked against their DID document). */
  handleResolver: string
  plcUrl: string
  /** Dev and tests only: OAuth servers and PDSes on plain http (a local PDS). */
  allowHttp: boolean
}

/**
 * The Publish page. Everything here happens in the browser with the user's own OAuth session at
 * their own PDS: the indexer never sees a password or a token. Without JavaScript it says so.
 */
export function publishBody(cfg: PublishPageConfig): SafeHtml {
  return html`<h1>Publish your #donottrain</h1>
<p>Say, in your own signed atproto repository, that your content must not be used to train AI. Crawlers that
check the network will find it, and anyone can verify it came from you.</p>
<noscript><p class="notice">Publishing needs JavaScript: this page signs you in at your own server (atproto OAuth)
and writes the record from your browser. Checking accounts works without it: <a href="/">Check</a>.</p></noscript>
<p id="status" role="status" aria-live="polite" class="notice" hidden></p>

<section id="signin" aria-labelledby="signin-h" hidden>
<h2 id="signin-h">Sign in with your atproto account</h2>
<form id="signin-form">
<label for="handle">Your handle</label>
<input type="text" id="handle" name="handle" required autocomplete="username" autocapitalize="none" spellcheck="false"
 aria-describedby="handle-hint">
<p class="hint" id="handle-hint">For example <code>alice.bsky.social</code>. You will sign in on your own server's page:
never type your password here, and no app password is needed.</p>
<div class="actions"><button type="submit">Sign in</button></div>
</form>
</section>

<section id="account" aria-labelledby="account-h" hidden>
<h2 id="account-h">Signed in as <span id="who"></span></h2>
<div class="actions"><button type="button" class="secondary" id="signout">Sign out</button></div>

<h2 id="current-h">Your declarations</h2>
<div id="current" aria-labelledby="current-h"><p>Loading…</p></div>

<h2 id="publish-h">Publish or update</h2>
<form id="publish-form" aria-labelledby="publish-h">
<fieldset>
<legend>What does it cover?</legend>
<div class="choice"><input type="radio" name="scope" id="scope-account" value="account" checked>
<label for="scope-account">My whole account: everything I have posted or will post</label></div>
<div class="choice"><input type="radio" name="scope" id="scope-posts" value="posts">
<label for="scope-posts">Particular posts</label></div>
<div id="posts-field" hidden>
<label for="posts">Post links, one per line</label>
<textarea id="posts" name="posts" aria-describedby="posts-hint"></textarea>
<p class="hint" id="posts-hint">bsky.app links or at:// URIs of your own posts.</p>
</div>
<div class="choice"><input type="radio" name="scope" id="scope-origin" value="origin">
<label for="scope-origin">My website</label></div>
<div id="origin-field" hidden>
<label for="origin">Website address</label>
<input type="url" id="origin" name="origin" placeholder="https://example.com" aria-describedby="origin-hint">
<p class="hint" id="origin-hint">It must be your handle's domain, or serve your DID at <code>/.well-known/atproto-did</code>.</p>
</div>
</fieldset>
<fieldset>
<legend>Which uses?</legend>
${PURPOSES.map(
  (
    p,
  ) => html`<div class="purpose-row"><label for="pref-${p}">${PURPOSE_WORDS[p].label}<span class="hint"> — ${PURPOSE_WORDS[p].detail}</span></label>
<select id="pref-${p}" name="${p}">
<option value="deny"${p === 'trainAi' ? html` selected` : ''}>Not allowed</option>
<option value="allow">Allowed</option>
<option value=""${p === 'trainAi' ? '' : html` selected`}>No statement</option>
</select></div>`,
)}
</fieldset>
<label for="statement">Statement (optional)</label>
<textarea id="statement" name="statement" maxlength="3000" aria-describedby="statement-hint"></textarea>
<p class="hint" id="statement-hint">A short message shown with your declaration (at most 300 characters).</p>
<label for="license">Licensing link (optional)</label>
<input type="url" id="license" name="license" placeholder="https://example.com/licensing" aria-describedby="license-hint">
<p class="hint" id="license-hint">Where AI builders can ask for a licence (https or mailto).</p>
<div class="actions"><button type="submit" id="publish">Publish</button></div>
</form>

<h2 id="bio-h">#donottrain in your bio</h2>
<p>Adds or removes the tag at the end of your profile description; nothing else in your profile changes.</p>
<p>Your bio: <span id="bio-state">…</span></p>
<div class="actions">
<button type="button" class="secondary" id="bio-add">Add #donottrain to my bio</button>
<button type="button" class="secondary" id="bio-remove">Remove #donottrain from my bio</button>
</div>
</section>
<script type="application/json" id="page-config">${jsonForScript(cfg)}</script>`
}
