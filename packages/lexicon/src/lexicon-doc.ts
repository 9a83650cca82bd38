import { type LexiconDoc, parseLexiconDoc } from '@atproto/lexicon'

export class InvalidLexiconDocError extends Error {
  override name = 'InvalidLexiconDocError'
}

/**
 * Parses a lexicon document as @atproto/lexicon does, plus the spec rules its parser does not
 * enforce (found by the public interop vectors): a named def may not be of type 'unknown'.
 * Throws InvalidLexiconDocError (with the parser's error as cause) on an invalid document.
 */
export function parseLexiconDocStrict(value: unknown): LexiconDoc {
  let doc: LexiconDoc
  try {
    doc = parseLexiconDoc(value)
  } catch (cause) {
    throw new InvalidLexiconDocError(`invalid lexicon document: ${(cause as Error).message}`, { cause })
  }
  for (const [name, def] of Object.entries(doc.defs)) {
    if (def.type === 'unknown') {
      throw new InvalidLexiconDocError(`a named def may not be of type unknown id=${doc.id} def=${name}`)
    }
  }
  return doc
}
