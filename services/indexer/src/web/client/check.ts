/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import './buffer-global.js'
import { pageConfig } from './page-config.js'
import { checkDeclarationProof, type ProofCheckOptions } from './verify.js'

/**
 * The Check page's script: the server already rendered the verdict; this verifies each
 * declaration's proof in the browser and marks it verified (or says why not).
 */
async function main(): Promise<void> {
  const cfg = pageConfig<ProofCheckOptions>()
  const items = [...document.querySelectorAll<HTMLElement>('li[data-uri][data-cid][data-did]')]
  await Promise.all(
    items.map(async (li) => {
      const mark = li.querySelector<HTMLElement>('.proof')
      if (!mark) return
      mark.textContent = 'Checking the signature…'
      const { uri = '', cid = '', did = '' } = li.dataset
      const result = await checkDeclarationProof({ uri, cid, did }, cfg).catch(
        (err: unknown) => ({ ok: false, reason: String(err) }) as const,
      )
      mark.classList.add(result.ok ? 'verified' : 'failed')
      mark.dataset.proofStatus = result.ok ? 'verified' : 'failed'
      mark.textContent = result.ok
        ? `✓ Verified: signed by the account (repository revision ${result.rev}), checked in this browser`
        : `✗ Not verified: ${result.reason}`
    }),
  )
  document.body.dataset.proofsChecked = String(items.length)
}

void main()
