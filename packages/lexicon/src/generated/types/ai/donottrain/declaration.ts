/**
 * GENERATED CODE - DO NOT MODIFY
 */
import { type ValidationResult, BlobRef } from '@atproto/lexicon'
import { validate as _validate } from '../../../lexicons.js'
import { type $Typed, is$typed as _is$typed, type OmitKey } from '../../../util.js'
import type * as AiDonottrainDefs from './defs.js'
import type * as ComAtprotoRepoStrongRef from '../../com/atproto/repo/strongRef.js'

const is$typed = _is$typed,
  validate = _validate
const id = 'ai.donottrain.declaration'

export interface Main {
  $type: 'ai.donottrain.declaration'
  scope:
    | $Typed<AccountScope>
    | $Typed<RecordScope>
    | $Typed<CollectionScope>
    | $Typed<OriginScope>
    | { $type: string }
  preferences: AiDonottrainDefs.Preferences
  /** Optional free-text statement shown to people, e.g. the reason or conditions. It is not machine-interpreted and never changes a verdict. */
  statement?: string
  /** Optional https URL where AI builders can ask for a licence or pay for use. It does not change a verdict: a 'deny' stays a 'deny' until the owner changes it. */
  licenseUri?: string
  /** Client-declared time the declaration was created or last changed. Informational: indexers order changes by repository revision, not by this field. */
  createdAt: string
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

/** Everything this account has published or will publish in its repository, in every collection. Web content outside the repository is covered only by #originScope. Only valid under record key 'self'. */
export interface AccountScope {
  $type?: 'ai.donottrain.declaration#accountScope'
}

const hashAccountScope = 'accountScope'

export function isAccountScope<V>(v: V) {
  return is$typed(v, id, hashAccountScope)
}

export function validateAccountScope<V>(v: V) {
  return validate<AccountScope & V>(v, id, hashAccountScope)
}

/** One record of this same account, e.g. one post. The strong reference pins the exact version (CID) the owner declared on; the declaration also applies to later versions of the record at the same URI. A subject in another account's repository is invalid and is ignored. */
export interface RecordScope {
  $type?: 'ai.donottrain.declaration#recordScope'
  subject: ComAtprotoRepoStrongRef.Main
}

const hashRecordScope = 'recordScope'

export function isRecordScope<V>(v: V) {
  return is$typed(v, id, hashRecordScope)
}

export function validateRecordScope<V>(v: V) {
  return validate<RecordScope & V>(v, id, hashRecordScope)
}

/** Every record of one collection of this account, e.g. all posts (app.bsky.feed.post) but not likes. */
export interface CollectionScope {
  $type?: 'ai.donottrain.declaration#collectionScope'
  collection: string
}

const hashCollectionScope = 'collectionScope'

export function isCollectionScope<V>(v: V) {
  return is$typed(v, id, hashCollectionScope)
}

export function validateCollectionScope<V>(v: V) {
  return validate<CollectionScope & V>(v, id, hashCollectionScope)
}

/** Web content under one https origin the account controls. The origin must be exactly scheme and host (and optional port) with no path, e.g. 'https://example.com'. It is honoured only when verified: its host is the account's verified handle, or the origin serves the account's DID at /.well-known/atproto-did. Indexers report the binding as verified or unverified; an unverified origin never produces a verdict. */
export interface OriginScope {
  $type?: 'ai.donottrain.declaration#originScope'
  origin: string
}

const hashOriginScope = 'originScope'

export function isOriginScope<V>(v: V) {
  return is$typed(v, id, hashOriginScope)
}

export function validateOriginScope<V>(v: V) {
  return validate<OriginScope & V>(v, id, hashOriginScope)
}
