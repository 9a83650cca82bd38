import type { Purpose, Verdict } from './verdict.js'

/**
 * The verdict in the formats the wider ecosystem reads, derived from the verdict alone.
 * `unknown` purposes are left out (no statement), never rendered as allowed.
 *
 * - AIPREF `Content-Usage`: `train-ai`, `train-genai`, `ai-input`, `search` = `y` / `n`.
 * - Cloudflare `Content-Signal`: `ai-train` (from trainAi; `no` also when only trainGenai is
 *   denied, since the signal has one training category), `ai-input`, `search` = `yes` / `no`.
 * - W3C TDMRep `tdm-reservation`: `1` when either training purpose is denied, else `0`.
 * - robots meta: `noai, noimageai` when either training purpose is denied, `noindex` when search
 *   is denied; empty otherwise.
 */
export interface Renderings {
  /** IETF AIPREF `Content-Usage` header value (structured-field dictionary), e.g. `train-ai=n, search=y`. */
  contentUsage: string
  /** Cloudflare `Content-Signal` value, e.g. `ai-train=no, search=yes`. */
  contentSignal: string
  /** W3C TDMRep `tdm-reservation`: 1 when text-and-data-mining rights are reserved (any training denied). */
  tdmReservation: 0 | 1
  /** Robots meta directives, e.g. `noai, noimageai`; empty when nothing is denied. */
  robots: string
}

/** One row per purpose: the documented mapping table (also in the indexer README). */
export const RENDERING_TABLE: ReadonlyArray<{
  purpose: Purpose
  contentUsage: string
  contentSignal: string | null
}> = [
  { purpose: 'trainAi', contentUsage: 'train-ai', contentSignal: 'ai-train' },
  { purpose: 'trainGenai', contentUsage: 'train-genai', contentSignal: null },
  { purpose: 'aiInput', contentUsage: 'ai-input', contentSignal: 'ai-input' },
  { purpose: 'search', contentUsage: 'search', contentSignal: 'search' },
]

export function renderVerdict(verdict: Verdict): Renderings {
  const usage: string[] = []
  const signal: string[] = []
  for (const row of RENDERING_TABLE) {
    const value = verdict[row.purpose]
    if (value === 'unknown') continue
    usage.push(`${row.contentUsage}=${value === 'deny' ? 'n' : 'y'}`)
    if (row.contentSignal) signal.push(`${row.contentSignal}=${value === 'deny' ? 'no' : 'yes'}`)
  }
  // Content-Signal has one training signal: 'no' when either training purpose is denied.
  if (verdict.trainAi !== 'deny' && verdict.trainGenai === 'deny') {
    const i = signal.findIndex((s) => s.startsWith('ai-train='))
    if (i >= 0) signal.splice(i, 1)
    signal.unshift('ai-train=no')
  }
  const trainingDenied = verdict.trainAi === 'deny' || verdict.trainGenai === 'deny'
  const robots: string[] = []
  if (trainingDenied) robots.push('noai', 'noimageai')
  if (verdict.search === 'deny') robots.push('noindex')
  return {
    contentUsage: usage.join(', '),
    contentSignal: signal.join(', '),
    tdmReservation: trainingDenied ? 1 : 0,
    robots: robots.join(', '),
  }
}
