import type { AiDonottrainDefs } from '@donottrain/lexicon'
import { ids, renderVerdict } from '@donottrain/lexicon'
import { describe, expect, it } from 'vitest'
import { checkBody } from './check-page.js'
import { escapeHtml, html, jsonForScript } from './html.js'

const cfg = { proofEndpoint: `/xrpc/${ids.AiDonottrainGetProof}`, plcUrl: 'https://plc.directory' }

describe('html', () => {
  it('escapes every interpolation, quotes and backticks included, and keeps SafeHtml as it is', () => {
    expect(escapeHtml(`<a href="x" title='y'>\`&`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&#96;&amp;')
    const inner = html`<b>${'<i>'}</b>`
    expect(html`<p title="${'"><script>'}">${inner}${['<', '>']}${null}${false}</p>`.value).toBe(
      '<p title="&quot;&gt;&lt;script&gt;"><b>&lt;i&gt;</b>&lt;&gt;</p>',
    )
  })

  it('jsonForScript cannot close its script element', () => {
    const out = jsonForScript({ a: '</script><!--', b: '\u2028' }).value
    expect(out).not.toMatch(/[<>]/)
    expect(JSON.parse(out)).toEqual({ a: '</script><!--', b: '\u2028' })
  })
})

describe('checkBody', () => {
  const originStatus = (): AiDonottrainDefs.StatusView => {
    const verdict = { trainAi: 'deny', trainGenai: 'deny', aiInput: 'allow', search: 'unknown' }
    return {
      subject: { input: 'https://example.com/a', kind: 'web', origin: 'https://example.com' },
      verdict,
      renderings: renderVerdict(verdict as never),
      declarations: [
        {
          uri: 'at://did:plc:abc/ai.donottrain.declaration/3l',
          cid: 'bafyreib',
          did: 'did:plc:abc',
          source: 'declaration',
          scope: { $type: `${ids.AiDonottrainDeclaration}#originScope` as const, origin: 'https://example.com' },
          preferences: { trainAi: 'deny', aiInput: 'allow' },
          originVerified: true,
          licenseUri: 'javascript:alert(1)',
          rev: '3l',
          indexedAt: '2026-01-01T00:00:00.000Z',
        },
      ],
    }
  }

  it('shows the website snippets for an origin: AIPREF, Content-Signal, TDMRep, robots', () => {
    const out = checkBody('https://example.com/a', { kind: 'status', status: originStatus() }, cfg).value
    expect(out).toContain('<h2 id="snippets-h">For your website</h2>')
    expect(out).toContain('Content-Usage: train-ai=n, train-genai=n, ai-input=y')
    expect(out).toContain('Content-Signal: ai-train=no, ai-input=yes')
    expect(out).toContain('&lt;meta name="tdm-reservation" content="1"&gt;')
    expect(out).toContain('&lt;meta name="robots" content="noai, noimageai"&gt;')
    expect(out).toContain('the website https://example.com (ownership verified)')
  })

  it('links a licence only when it is https or mailto', () => {
    const out = checkBody('x', { kind: 'status', status: originStatus() }, cfg).value
    expect(out).not.toContain('href="javascript:')
    expect(out).toContain('Licensing: javascript:alert(1)')
  })

  it('escapes the subject and the error message', () => {
    const evil = '"><script>alert(1)</script>'
    const out = checkBody(evil, { kind: 'error', message: `bad subject ${evil}` }, cfg).value
    expect(out).not.toContain('<script>alert(1)')
    expect(out).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"')
  })
})
