export type DeclarationReadErrorCode =
  | 'NoDeclaration' // a record that declares nothing (a post or profile without #donottrain)
  | 'InvalidDeclaration' // a record of a declaring kind that fails its lexicon or the protocol rules
  | 'UnsupportedCollection' // a collection no declaration is read from

/** Why a proven record does not make the declaration it was said to make. */
export class DeclarationReadError extends Error {
  override name = 'DeclarationReadError'
  constructor(
    readonly code: DeclarationReadErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
