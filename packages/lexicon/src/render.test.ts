import { describe, expect, it } from 'vitest'
import { renderVerdict } from './render.js'
import { combinePreferences, type Verdict } from './verdict.js'

const verdict = (v: Partial<Verdict>): Verdict => ({
  trainAi: 'unknown',
  trainGenai: 'unknown',
  aiInput: 'unknown',
  search: 'unknown',
  ...v,
})

describe('renderVerdict', () => {
  it('renders a plain #donottrain (trainAi deny, which implies trainGenai deny)', () => {
    expect(renderVerdict(combinePreferences([{ trainAi: 'deny' }]))).toEqual({
      contentUsage: 'train-ai=n, train-genai=n',
      contentSignal: 'ai-train=no',
      tdmReservation: 1,
      robots: 'noai, noimageai',
    })
  })
  it('leaves unknown purposes out and never renders them as allowed', () => {
    expect(renderVerdict(verdict({}))).toEqual({ contentUsage: '', contentSignal: '', tdmReservation: 0, robots: '' })
  })
  it('renders every purpose in table order', () => {
    const r = renderVerdict(verdict({ trainAi: 'deny', trainGenai: 'deny', aiInput: 'allow', search: 'allow' }))
    expect(r.contentUsage).toBe('train-ai=n, train-genai=n, ai-input=y, search=y')
    expect(r.contentSignal).toBe('ai-train=no, ai-input=yes, search=yes')
    expect(r.robots).toBe('noai, noimageai')
  })
  it('says ai-train=no when only generative training is denied', () => {
    const r = renderVerdict(verdict({ trainAi: 'allow', trainGenai: 'deny' }))
    expect(r.contentUsage).toBe('train-ai=y, train-genai=n')
    expect(r.contentSignal).toBe('ai-train=no')
    expect(r.tdmReservation).toBe(1)
  })
  it('adds noindex only when search is denied', () => {
    const r = renderVerdict(verdict({ search: 'deny', trainAi: 'allow' }))
    expect(r).toEqual({
      contentUsage: 'train-ai=y, search=n',
      contentSignal: 'ai-train=yes, search=no',
      tdmReservation: 0,
      robots: 'noindex',
    })
  })
})
