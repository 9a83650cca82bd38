/**
 * The whole stylesheet: system fonts, one column that fits a phone, WCAG AA contrast (text
 * #1b1b1f on white is 16:1; the accent #0b57d0 on white 6.6:1), a visible focus ring.
 */
export const SITE_CSS = `
:root { color-scheme: light; --fg: #1b1b1f; --muted: #4a4a55; --bg: #fff; --soft: #f3f4f7; --line: #c9ccd4;
  --accent: #0b57d0; --deny: #a1130f; --deny-bg: #fdecea; --allow: #146c2e; --allow-bg: #e6f4ea;
  --unknown: #4a4a55; --unknown-bg: #eef0f3; }
* { box-sizing: border-box; }
html { font: 100%/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
body { margin: 0; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--bg); padding: .5rem 1rem; }
.skip:focus { left: .5rem; }
header.site, main, footer.site { max-width: 46rem; margin: 0 auto; padding: 0 1rem; }
header.site { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: baseline; padding-top: 1rem;
  border-bottom: 1px solid var(--line); }
header.site .brand { margin: 0; font-weight: 700; font-size: 1.25rem; }
header.site .brand a { color: var(--fg); text-decoration: none; }
header.site nav { display: flex; gap: 1rem; flex-wrap: wrap; }
header.site nav a { padding: .5rem 0; display: inline-block; }
header.site nav a[aria-current="page"] { font-weight: 700; color: var(--fg); }
main { padding-bottom: 2rem; }
main:focus { outline: none; }
footer.site { color: var(--muted); font-size: .875rem; border-top: 1px solid var(--line); padding-top: .5rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 1.25rem 0 .5rem; }
h2 { font-size: 1.25rem; margin: 1.5rem 0 .5rem; }
h3 { font-size: 1.05rem; margin: 1rem 0 .25rem; }
form.check { display: flex; flex-wrap: wrap; gap: .5rem; align-items: flex-end; margin: 1rem 0; }
form.check .field { flex: 1 1 16rem; }
label { display: block; font-weight: 600; margin-bottom: .25rem; }
.hint { color: var(--muted); font-size: .9rem; margin: .25rem 0 0; }
input[type=text], input[type=url], textarea { width: 100%; font: inherit; padding: .6rem .7rem; border: 1px solid #767682;
  border-radius: .375rem; background: var(--bg); color: var(--fg); min-height: 2.75rem; }
textarea { min-height: 4.5rem; }
button, .button { font: inherit; font-weight: 600; padding: .6rem 1.1rem; border-radius: .375rem; border: 1px solid var(--accent);
  background: var(--accent); color: #fff; cursor: pointer; min-height: 2.75rem; }
button.secondary { background: var(--bg); color: var(--accent); }
button.danger { background: var(--bg); color: var(--deny); border-color: var(--deny); }
button:disabled { opacity: .6; cursor: not-allowed; }
fieldset { border: 1px solid var(--line); border-radius: .5rem; margin: 1rem 0; padding: .75rem 1rem; }
legend { font-weight: 700; padding: 0 .25rem; }
.choice { display: flex; gap: .5rem; align-items: flex-start; margin: .4rem 0; }
.choice input { margin-top: .35rem; width: 1.1rem; height: 1.1rem; flex: none; }
.choice label { font-weight: 400; margin: 0; }
.purpose-row { display: grid; grid-template-columns: 1fr auto; gap: .25rem 1rem; align-items: center;
  padding: .5rem 0; border-top: 1px solid var(--line); }
.purpose-row:first-of-type { border-top: 0; }
.purpose-row select { font: inherit; padding: .4rem; min-height: 2.5rem; }
ul.verdicts { list-style: none; padding: 0; margin: .5rem 0; display: grid; gap: .5rem; }
ul.verdicts li { border-radius: .5rem; padding: .6rem .8rem; border-left: .35rem solid; }
ul.verdicts li.deny { background: var(--deny-bg); border-color: var(--deny); }
ul.verdicts li.allow { background: var(--allow-bg); border-color: var(--allow); }
ul.verdicts li.unknown { background: var(--unknown-bg); border-color: var(--unknown); }
.verdict-word { font-weight: 700; }
.deny .verdict-word { color: var(--deny); }
.allow .verdict-word { color: var(--allow); }
ol.declarations { padding-left: 1.25rem; }
ol.declarations > li { margin: .75rem 0; padding: .6rem .8rem; background: var(--soft); border-radius: .5rem; }
.meta { color: var(--muted); font-size: .9rem; overflow-wrap: anywhere; }
.proof { font-weight: 600; overflow-wrap: anywhere; }
.proof.verified { color: var(--allow); }
.proof.failed { color: var(--deny); }
pre, code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9rem; }
pre { background: var(--soft); padding: .6rem .8rem; border-radius: .375rem; overflow-x: auto; white-space: pre-wrap;
  overflow-wrap: anywhere; }
.notice { padding: .75rem 1rem; border-radius: .5rem; background: var(--soft); border-left: .35rem solid var(--accent); }
.notice.error { background: var(--deny-bg); border-color: var(--deny); }
.notice.ok { background: var(--allow-bg); border-color: var(--allow); }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; margin: 1rem 0; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
[hidden] { display: none !important; }
dl.snippets dt { font-weight: 600; margin-top: .75rem; }
dl.snippets dd { margin: .25rem 0 0; }
`
