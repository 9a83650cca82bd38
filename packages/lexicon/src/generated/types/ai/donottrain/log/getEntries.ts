/**
 * GENERATED CODE - DO NOT MODIFY
 */
import { type HeadersMap, XRPCError } from '@atproto/xrpc'
import { type ValidationResult, BlobRef } from '@atproto/lexicon'
import { validate as _validate } from '../../../../lexicons.js'
import {
  type $Typed,
  is$typed as _is$typed,
  type OmitKey,
} from '../../../../util.js'
import type * as AiDonottrainLogDefs from './defs.js'

const is$typed = _is$typed,
  validate = _validate
const id = 'ai.donottrain.log.getEntries'

export type QueryParams = {
  start?: number
  limit?: number
}
export type InputSchema = undefined

export interface OutputSchema {
  entries: AiDonottrainLogDefs.Entry[]
}

export interface CallOptions {
  signal?: AbortSignal
  headers?: HeadersMap
}

export interface Response {
  success: boolean
  headers: HeadersMap
  data: OutputSchema
}

export function toKnownErr(e: any) {
  return e
}
