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
const id = 'ai.donottrain.getStatus'

export type QueryParams = {
  /** A DID, handle, at-uri, https://bsky.app profile or post URL, Bluesky CDN image/video URL, or any other https URL. */
  subject: string
  /** Answer as of this time, from the transparency log: the declarations in effect at the newest checkpoint made at or before it. */
  at?: string
}
export type InputSchema = undefined
export type OutputSchema = AiDonottrainDefs.StatusView

export interface CallOptions {
  signal?: AbortSignal
  headers?: HeadersMap
}

export interface Response {
  success: boolean
  headers: HeadersMap
  data: OutputSchema
}

export class InvalidSubjectError extends XRPCError {
  constructor(src: XRPCError) {
    super(src.status, src.error, src.message, src.headers, { cause: src })
  }
}

export class UnresolvableSubjectError extends XRPCError {
  constructor(src: XRPCError) {
    super(src.status, src.error, src.message, src.headers, { cause: src })
  }
}

export class NoCheckpointError extends XRPCError {
  constructor(src: XRPCError) {
    super(src.status, src.error, src.message, src.headers, { cause: src })
  }
}

export function toKnownErr(e: any) {
  if (e instanceof XRPCError) {
    if (e.error === 'InvalidSubject') return new InvalidSubjectError(e)
    if (e.error === 'UnresolvableSubject')
      return new UnresolvableSubjectError(e)
    if (e.error === 'NoCheckpoint') return new NoCheckpointError(e)
  }

  return e
}
