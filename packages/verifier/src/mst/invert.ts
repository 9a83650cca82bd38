import { cidFromString, cidToString } from './cid.js'
import { MstError } from './errors.js'
import { isValidMstKey } from './key.js'
import { err, ok, type Result } from './result.js'
import { MstEditor } from './tree.js'
import type { BlockMap } from './types.js'

/**
 * One record operation of a commit, as a Sync 1.1 firehose #commit carries it (CIDs as strings):
 * create has `cid`; update has `cid` and `prev`; delete has `prev` and a null `cid`.
 */
export type MstOp = {
  action: 'create' | 'update' | 'delete'
  /** The MST key, `<collection>/<rkey>`. */
  path: string
  cid: string | null
  prev?: string | null
}

type ParsedOp = { action: MstOp['action']; path: string; cid: Uint8Array | null; prev: Uint8Array | null }

/** Which CIDs each action carries (Sync 1.1: prev is required on update and delete). */
const SHAPES: Record<MstOp['action'], { cid: boolean; prev: boolean; text: string }> = {
  create: { cid: true, prev: false, text: 'a cid and no prev' },
  update: { cid: true, prev: true, text: 'a cid and a prev' },
  delete: { cid: false, prev: true, text: 'a prev and no cid' },
}

const invalidOp = (message: string) => err(new MstError('InvalidOp', message))

function parseCid(value: unknown): Uint8Array | null | undefined {
  if (value === null || value === undefined) return null
  return typeof value === 'string' ? cidFromString(value) : undefined
}

function parseOps(ops: readonly MstOp[]): Result<ParsedOp[], MstError> {
  const seen = new Set<string>()
  const parsed: ParsedOp[] = []
  for (const op of ops) {
    const { action, path } = op
    if (!isValidMstKey(path))
      return err(new MstError('InvalidKey', `invalid mst key in op path=${JSON.stringify(path)}`))
    if (seen.has(path)) return invalidOp(`two ops on one path path=${path}`)
    seen.add(path)
    const cid = parseCid(op.cid)
    const prev = parseCid(op.prev)
    if (cid === undefined || prev === undefined) return invalidOp(`op cid is not a cidv1 string path=${path}`)
    const shape = Object.hasOwn(SHAPES, action) ? SHAPES[action] : undefined
    if (shape === undefined) return invalidOp(`unknown op action action=${JSON.stringify(action)} path=${path}`)
    if ((cid !== null) !== shape.cid || (prev !== null) !== shape.prev) {
      return invalidOp(`${action} op needs ${shape.text} path=${path}`)
    }
    parsed.push({ action, path, cid, prev })
  }
  return ok(parsed)
}

/**
 * Computes the MST root before a commit from the root after it, by applying the inverse of each
 * op (a create is deleted, an update and a delete restore `prev`) in reverse order. `blocks` must
 * hold the nodes the inversion touches: the paths of the changed keys and their neighbours, as a
 * Sync 1.1 #commit carries them. Compare the result with the event's `prevData`.
 *
 * Fails with MissingBlock when a needed node is absent, InvalidOp / InvalidKey for malformed ops,
 * OpMismatch when an op disagrees with the tree, MalformedNode / InvalidTree for bad nodes.
 */
export function invertOps(root: string, ops: readonly MstOp[], blocks: BlockMap): Result<string, MstError> {
  const rootCid = cidFromString(root)
  if (rootCid === undefined) return err(new MstError('InvalidTree', `mst root is not a cidv1 string root=${root}`))
  const parsed = parseOps(ops)
  if (!parsed.ok) return parsed
  try {
    const editor = MstEditor.load(rootCid, blocks)
    for (let i = parsed.value.length - 1; i >= 0; i--) {
      const op = parsed.value[i] as ParsedOp
      if (op.action === 'create') editor.delete(op.path, op.cid as Uint8Array)
      else if (op.action === 'update') editor.update(op.path, op.cid as Uint8Array, op.prev as Uint8Array)
      else editor.insert(op.path, op.prev as Uint8Array)
    }
    return ok(cidToString(editor.rootCid()))
  } catch (cause) {
    if (cause instanceof MstError) return err(cause)
    throw cause
  }
}
