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
const id = 'ai.donottrain.subscribeDeclarations'

export interface Change {
  $type?: 'ai.donottrain.subscribeDeclarations#change'
  change: AiDonottrainDefs.DeclarationChange
}

const hashChange = 'change'

export function isChange<V>(v: V) {
  return is$typed(v, id, hashChange)
}

export function validateChange<V>(v: V) {
  return validate<Change & V>(v, id, hashChange)
}

export interface Info {
  $type?: 'ai.donottrain.subscribeDeclarations#info'
  name: 'OutdatedCursor' | (string & {})
  message?: string
}

const hashInfo = 'info'

export function isInfo<V>(v: V) {
  return is$typed(v, id, hashInfo)
}

export function validateInfo<V>(v: V) {
  return validate<Info & V>(v, id, hashInfo)
}
