import { fromBytes, isBytes } from '@atcute/cbor'
import { isCidLink } from '@atcute/cid'
import { isValidDid, isValidTid } from '@donottrain/lexicon'
import { type Frame, isObject } from './frame.js'

export interface RepoOp {
  action: 'create' | 'update' | 'delete'
  path: string
  /** New record CID; null for deletes. */
  cid: string | null
  /** Previous record CID (Sync 1.1), for updates and deletes. */
  prev: string | null
}

export type FirehoseEvent =
  | {
      type: 'commit'
      seq: number
      repo: string
      rev: string
      since: string | null
      commit: string
      blocks: Uint8Array
      ops: RepoOp[]
      prevData: string | null
      time: string
    }
  | { type: 'sync'; seq: number; did: string; rev: string; blocks: Uint8Array; time: string }
  | { type: 'identity'; seq: number; did: string; handle: string | null; time: string }
  | { type: 'account'; seq: number; did: string; active: boolean; status: string | null; time: string }
  | { type: 'info'; name: string; message: string | null }
  | { type: 'unknown'; t: string; seq: number | null }

export class EventError extends Error {
  override name = 'EventError'
}

const MAX_OPS = 200

/** Reads a decoded frame into a typed event; throws EventError on a malformed body. */
export function parseEvent(frame: Frame & { op: 1 }): FirehoseEvent {
  const b = frame.body
  switch (frame.t) {
    case '#commit': {
      const ops = b.ops
      if (!Array.isArray(ops) || ops.length > MAX_OPS) throw new EventError('commit ops missing or too many')
      return {
        type: 'commit',
        seq: seq(b.seq),
        repo: did(b.repo),
        rev: tid(b.rev, 'rev'),
        since: b.since === null || b.since === undefined ? null : tid(b.since, 'since'),
        commit: cid(b.commit, 'commit'),
        blocks: bytes(b.blocks),
        ops: ops.map(op),
        prevData: b.prevData === undefined || b.prevData === null ? null : cid(b.prevData, 'prevData'),
        time: str(b.time, 'time'),
      }
    }
    case '#sync':
      return {
        type: 'sync',
        seq: seq(b.seq),
        did: did(b.did),
        rev: tid(b.rev, 'rev'),
        blocks: bytes(b.blocks),
        time: str(b.time, 'time'),
      }
    case '#identity':
      return {
        type: 'identity',
        seq: seq(b.seq),
        did: did(b.did),
        handle: typeof b.handle === 'string' ? b.handle : null,
        time: str(b.time, 'time'),
      }
    case '#account':
      if (typeof b.active !== 'boolean') throw new EventError('account event without active')
      return {
        type: 'account',
        seq: seq(b.seq),
        did: did(b.did),
        active: b.active,
        status: typeof b.status === 'string' ? b.status : null,
        time: str(b.time, 'time'),
      }
    case '#info':
      return {
        type: 'info',
        name: str(b.name, 'name'),
        message: typeof b.message === 'string' ? b.message : null,
      }
    default:
      return { type: 'unknown', t: frame.t, seq: typeof b.seq === 'number' ? b.seq : null }
  }
}

function op(v: unknown): RepoOp {
  if (!isObject(v)) throw new EventError('op is not a map')
  const action = v.action
  if (action !== 'create' && action !== 'update' && action !== 'delete')
    throw new EventError('op has an unknown action')
  const path = str(v.path, 'path')
  const c = v.cid === null || v.cid === undefined ? null : cid(v.cid, 'op.cid')
  if ((action === 'delete') !== (c === null)) throw new EventError(`op cid does not fit action=${action}`)
  return { action, path, cid: c, prev: v.prev === undefined || v.prev === null ? null : cid(v.prev, 'op.prev') }
}

function seq(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw new EventError('seq is not a non-negative integer')
  return v
}
function did(v: unknown): string {
  if (typeof v !== 'string' || !isValidDid(v)) throw new EventError('invalid did')
  return v
}
function tid(v: unknown, name: string): string {
  if (typeof v !== 'string' || !isValidTid(v)) throw new EventError(`invalid ${name}`)
  return v
}
function cid(v: unknown, name: string): string {
  if (!isCidLink(v)) throw new EventError(`${name} is not a cid link`)
  return v.$link
}
function bytes(v: unknown): Uint8Array {
  if (!isBytes(v)) throw new EventError('blocks is not bytes')
  return fromBytes(v)
}
function str(v: unknown, name: string): string {
  if (typeof v !== 'string') throw new EventError(`${name} is not a string`)
  return v
}
