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
const id = 'community.lexicon.preference.ai'

export interface Main {
  $type: 'community.lexicon.preference.ai'
  scope:
    $Typed<Global> | $Typed<Entity> | $Typed<Collection> | { $type: string }
  preferences: Preferences
  updatedAt: string
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

/** Applies to all content of the account. */
export interface Global {
  $type?: 'community.lexicon.preference.ai#global'
}

const hashGlobal = 'global'

export function isGlobal<V>(v: V) {
  return is$typed(v, id, hashGlobal)
}

export function validateGlobal<V>(v: V) {
  return validate<Global & V>(v, id, hashGlobal)
}

/** Applies to one record. */
export interface Entity {
  $type?: 'community.lexicon.preference.ai#entity'
  uri: string
}

const hashEntity = 'entity'

export function isEntity<V>(v: V) {
  return is$typed(v, id, hashEntity)
}

export function validateEntity<V>(v: V) {
  return validate<Entity & V>(v, id, hashEntity)
}

/** Applies to every record of one collection. */
export interface Collection {
  $type?: 'community.lexicon.preference.ai#collection'
  nsid: string
}

const hashCollection = 'collection'

export function isCollection<V>(v: V) {
  return is$typed(v, id, hashCollection)
}

export function validateCollection<V>(v: V) {
  return validate<Collection & V>(v, id, hashCollection)
}

export interface Preferences {
  $type?: 'community.lexicon.preference.ai#preferences'
  training?: Preference
  inference?: Preference
  syntheticContent?: Preference
  embedding?: Preference
}

const hashPreferences = 'preferences'

export function isPreferences<V>(v: V) {
  return is$typed(v, id, hashPreferences)
}

export function validatePreferences<V>(v: V) {
  return validate<Preferences & V>(v, id, hashPreferences)
}

export interface Preference {
  $type?: 'community.lexicon.preference.ai#preference'
  allow: boolean
  updatedAt?: string
}

const hashPreference = 'preference'

export function isPreference<V>(v: V) {
  return is$typed(v, id, hashPreference)
}

export function validatePreference<V>(v: V) {
  return validate<Preference & V>(v, id, hashPreference)
}
