import { ids, validateDeclaration } from '@donottrain/lexicon'
import type { Processor } from './types.js'

/** ai.donottrain.declaration: validated against the lexicon and the protocol rules. */
export const declarationProcessor: Processor = {
  collection: ids.AiDonottrainDeclaration,
  extract(record, ctx) {
    const res = validateDeclaration(record, { did: ctx.did, rkey: ctx.rkey })
    if (!res.ok) return { value: null, rejected: res.error.code }
    const { record: rec, scope, preferences } = res.value
    return {
      value: {
        source: 'declaration',
        scope,
        preferences: pickPurposes(preferences),
        ...(rec.statement !== undefined && { statement: rec.statement }),
        ...(rec.licenseUri !== undefined && { licenseUri: rec.licenseUri }),
        createdAt: rec.createdAt,
      },
    }
  },
}

// Keep only the purposes and values the protocol knows; anything else is no statement.
function pickPurposes(prefs: Record<string, unknown>) {
  const out: Record<string, 'allow' | 'deny'> = {}
  for (const key of ['trainAi', 'trainGenai', 'aiInput', 'search']) {
    const v = prefs[key]
    if (v === 'allow' || v === 'deny') out[key] = v
  }
  return out
}
