/**
 * GENERATED CODE - DO NOT MODIFY
 */
import { type ValidationResult, BlobRef } from '@atproto/lexicon'
import { validate as _validate } from '../../../lexicons.js'
import { type $Typed, is$typed as _is$typed, type OmitKey } from '../../../util.js'
import type * as AiDonottrainDeclaration from './declaration.js'
import type * as AiDonottrainLogDefs from './log/defs.js'

const is$typed = _is$typed,
  validate = _validate
const id = 'ai.donottrain.defs'

/** A preference per purpose of use. Each field is 'allow' or 'deny'; a missing field, or a value this reader does not know, is 'unknown' (no statement). 'trainAi: deny' also denies the narrower 'trainGenai'. */
export interface Preferences {
  $type?: 'ai.donottrain.defs#preferences'
  /** Training or fine-tuning any AI/ML model, including classifiers and embedding models. This is what a plain #donottrain denies. */
  trainAi?: 'allow' | 'deny' | (string & {})
  /** Training or fine-tuning generative models (text, image, audio, video generation). Narrower than trainAi. */
  trainGenai?: 'allow' | 'deny' | (string & {})
  /** Use as model input at inference time: retrieval-augmented generation, grounding, summaries, answers. */
  aiInput?: 'allow' | 'deny' | (string & {})
  /** Search indexing that links back to the source. */
  search?: 'allow' | 'deny' | (string & {})
}

const hashPreferences = 'preferences'

export function isPreferences<V>(v: V) {
  return is$typed(v, id, hashPreferences)
}

export function validatePreferences<V>(v: V) {
  return validate<Preferences & V>(v, id, hashPreferences)
}

/** The combined answer for one subject, per purpose. Every declaration that applies to the subject (account-wide, then collection, then record, then origin) is combined most restrictively: any 'deny' wins, otherwise any 'allow', otherwise 'unknown'. A 'trainAi' deny counts as a 'trainGenai' deny. */
export interface Verdict {
  $type?: 'ai.donottrain.defs#verdict'
  trainAi: 'allow' | 'deny' | 'unknown' | (string & {})
  trainGenai: 'allow' | 'deny' | 'unknown' | (string & {})
  aiInput: 'allow' | 'deny' | 'unknown' | (string & {})
  search: 'allow' | 'deny' | 'unknown' | (string & {})
}

const hashVerdict = 'verdict'

export function isVerdict<V>(v: V) {
  return is$typed(v, id, hashVerdict)
}

export function validateVerdict<V>(v: V) {
  return validate<Verdict & V>(v, id, hashVerdict)
}

/** One declaration as an indexer stored it, with where it came from. The record it names is signed by its author's repository commit; fetch the proof with ai.donottrain.getProof. */
export interface DeclarationView {
  $type?: 'ai.donottrain.defs#declarationView'
  uri: string
  cid: string
  did: string
  /** The kind of record the declaration was read from: 'declaration' (an ai.donottrain.declaration record), 'postTag' (#donottrain in a post), 'profileTag' (#donottrain in the profile description), 'userIntents' (org.user-intents.demo.declaration), 'preferenceAi' (community.lexicon.preference.ai). */
  source:
    | 'declaration'
    | 'postTag'
    | 'profileTag'
    | 'userIntents'
    | 'preferenceAi'
    | (string & {})
  scope:
    | $Typed<AiDonottrainDeclaration.AccountScope>
    | $Typed<AiDonottrainDeclaration.CollectionScope>
    | $Typed<RecordTarget>
    | $Typed<AiDonottrainDeclaration.OriginScope>
    | { $type: string }
  preferences: Preferences
  /** For an origin scope: whether the indexer verified that the origin belongs to the account. Unverified origins never produce a verdict. */
  originVerified?: boolean
  statement?: string
  licenseUri?: string
  /** Repository revision of the commit that wrote this version. */
  rev: string
  createdAt?: string
  indexedAt: string
  /** Index of the transparency-log leaf that recorded this version, when the indexer keeps a log. */
  leafIndex?: number
  /** The transparency-log leaf of the change that wrote this version (see ai.donottrain.log.*). */
  logIndex?: number
}

const hashDeclarationView = 'declarationView'

export function isDeclarationView<V>(v: V) {
  return is$typed(v, id, hashDeclarationView)
}

export function validateDeclarationView<V>(v: V) {
  return validate<DeclarationView & V>(v, id, hashDeclarationView)
}

/** The record a record-scope declaration is about. The CID is the version the author pinned, when the source kind pins one (ai.donottrain.declaration does; a #donottrain post names itself). */
export interface RecordTarget {
  $type?: 'ai.donottrain.defs#recordTarget'
  uri: string
  cid?: string
}

const hashRecordTarget = 'recordTarget'

export function isRecordTarget<V>(v: V) {
  return is$typed(v, id, hashRecordTarget)
}

export function validateRecordTarget<V>(v: V) {
  return validate<RecordTarget & V>(v, id, hashRecordTarget)
}

/** How the indexer understood a subject string. */
export interface SubjectView {
  $type?: 'ai.donottrain.defs#subjectView'
  input: string
  /** 'account' (a DID, handle, at-uri of a repository or profile URL), 'collection' (an at-uri of one collection), 'record' (an at-uri or a bsky.app post URL), 'blob' (a Bluesky CDN image or video URL; the account that uploaded it), 'web' (any other https URL, matched against verified origin scopes). */
  kind: 'account' | 'collection' | 'record' | 'blob' | 'web' | (string & {})
  did?: string
  handle?: string
  uri?: string
  collection?: string
  origin?: string
}

const hashSubjectView = 'subjectView'

export function isSubjectView<V>(v: V) {
  return is$typed(v, id, hashSubjectView)
}

export function validateSubjectView<V>(v: V) {
  return validate<SubjectView & V>(v, id, hashSubjectView)
}

/** The verdict rendered in the formats the wider ecosystem reads. Each is derived from the verdict alone, by the mapping table documented with the indexer. */
export interface Renderings {
  $type?: 'ai.donottrain.defs#renderings'
  /** IETF AIPREF Content-Usage header value, e.g. 'train-ai=n, search=y'. */
  contentUsage: string
  /** Cloudflare Content-Signal value, e.g. 'ai-train=no, search=yes'. */
  contentSignal: string
  /** W3C TDMRep tdm-reservation: 1 when text-and-data mining rights are reserved. */
  tdmReservation: number
  /** Robots meta directives, e.g. 'noai, noimageai'; empty when nothing is denied. */
  robots: string
}

const hashRenderings = 'renderings'

export function isRenderings<V>(v: V) {
  return is$typed(v, id, hashRenderings)
}

export function validateRenderings<V>(v: V) {
  return validate<Renderings & V>(v, id, hashRenderings)
}

/** The status of one subject: the verdict, the declarations it came from, and its renderings. */
export interface StatusView {
  $type?: 'ai.donottrain.defs#statusView'
  subject: SubjectView
  verdict: Verdict
  declarations: DeclarationView[]
  renderings: Renderings
  /** False when the account is deactivated or taken down; its declarations stay in force. */
  accountActive?: boolean
  checkpoint?: AiDonottrainLogDefs.CheckpointView
  /** For each listed declaration with a logIndex the checkpoint covers, the proof that its leaf is in the log. */
  inclusions?: AiDonottrainLogDefs.InclusionProof[]
  /** Set when the answer is for a past time (getStatus?at=): the state the log held at the checkpoint that covered it. */
  at?: string
}

const hashStatusView = 'statusView'

export function isStatusView<V>(v: V) {
  return is$typed(v, id, hashStatusView)
}

export function validateStatusView<V>(v: V) {
  return validate<StatusView & V>(v, id, hashStatusView)
}

/** A subject in a batch that could not be answered. The rest of the batch is still answered. */
export interface SubjectError {
  $type?: 'ai.donottrain.defs#subjectError'
  input: string
  error: 'InvalidSubject' | 'UnresolvableSubject' | (string & {})
  message?: string
}

const hashSubjectError = 'subjectError'

export function isSubjectError<V>(v: V) {
  return is$typed(v, id, hashSubjectError)
}

export function validateSubjectError<V>(v: V) {
  return validate<SubjectError & V>(v, id, hashSubjectError)
}

/** One change to the set of declarations, in index order. 'create' and 'update' carry the new version; 'delete' is a tombstone for a revoked declaration; 'hide' and 'restore' follow account deactivation and reactivation; 'purge' follows account deletion. */
export interface DeclarationChange {
  $type?: 'ai.donottrain.defs#declarationChange'
  /** Position in the index order; cursors refer to it. */
  seq: number
  kind:
    | 'create'
    | 'update'
    | 'delete'
    | 'hide'
    | 'restore'
    | 'purge'
    | (string & {})
  did: string
  uri?: string
  cid?: string
  rev?: string
  indexedAt: string
  declaration?: DeclarationView
}

const hashDeclarationChange = 'declarationChange'

export function isDeclarationChange<V>(v: V) {
  return is$typed(v, id, hashDeclarationChange)
}

export function validateDeclarationChange<V>(v: V) {
  return validate<DeclarationChange & V>(v, id, hashDeclarationChange)
}
