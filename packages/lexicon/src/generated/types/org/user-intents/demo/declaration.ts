/**
 * GENERATED CODE - DO NOT MODIFY
 */
import { type ValidationResult, BlobRef } from '@atproto/lexicon'
import { validate as _validate } from '../../../../lexicons.js'
import {
  type $Typed,
  is$typed as _is$typed,
  type OmitKey,
} from '../../../../util.js'

const is$typed = _is$typed,
  validate = _validate
const id = 'org.user-intents.demo.declaration'

export interface Main {
  $type: 'org.user-intents.demo.declaration'
  updatedAt: string
  bulkDataset?: Intent
  protocolBridging?: Intent
  publicAccessArchive?: Intent
  syntheticContentGeneration?: Intent
  [k: string]: unknown
}

const hashMain = 'main'

export function isMain<V>(v: V) {
  return is$typed(v, id, hashMain)
}

export function validateMain<V>(v: V) {
  return validate<Main & V>(v, id, hashMain, true)
}

export {
  type Main as Record,
  isMain as isRecord,
  validateMain as validateRecord,
}

export interface Intent {
  $type?: 'org.user-intents.demo.declaration#intent'
  allow?: boolean
  updatedAt: string
}

const hashIntent = 'intent'

export function isIntent<V>(v: V) {
  return is$typed(v, id, hashIntent)
}

export function validateIntent<V>(v: V) {
  return validate<Intent & V>(v, id, hashIntent)
}
