/**
 * GENERATED CODE - DO NOT MODIFY
 */
import { type HeadersMap, XRPCError } from '@atproto/xrpc'
import { type ValidationResult, BlobRef } from '@atproto/lexicon'
import { validate as _validate } from '../../../lexicons.js'
import { type $Typed, is$typed as _is$typed, type OmitKey } from '../../../util.js'
import type * as AiDonottrainDefs from './defs.js'

const is$typed = _is$typed,
  validate = _validate
const id = 'ai.donottrain.checkSubjects'

export type QueryParams = {}

export interface InputSchema {
  subjects: string[]
  /** Also return each answer's log checkpoint and inclusion proofs (costs a proof per declaration). */
  logProofs?: boolean
}

export interface OutputSchema {
  results: (
    | $Typed<AiDonottrainDefs.StatusView>
    | $Typed<AiDonottrainDefs.SubjectError>
    | { $type: string }
  )[]
}

export interface CallOptions {
  signal?: AbortSignal
  headers?: HeadersMap
  qp?: QueryParams
  encoding?: 'application/json'
}

export interface Response {
  success: boolean
  headers: HeadersMap
  data: OutputSchema
}

export class TooManySubjectsError extends XRPCError {
  constructor(src: XRPCError) {
    super(src.status, src.error, src.message, src.headers, { cause: src })
  }
}

export function toKnownErr(e: any) {
  if (e instanceof XRPCError) {
    if (e.error === 'TooManySubjects') return new TooManySubjectsError(e)
  }

  return e
}
