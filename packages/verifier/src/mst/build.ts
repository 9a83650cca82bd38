import { cidFromString, cidToString } from './cid.js'
import { MstError } from './errors.js'
import { isValidMstKey } from './key.js'
import { err, ok, type Result } from './result.js'
import { MstEditor } from './tree.js'

/** A whole MST: its root CID and every node block, by CID string. */
export type BuiltMst = { root: string; blocks: Map<string, Uint8Array> }

/**
 * Builds the MST of a set of `[key, value CID]` pairs (any order) and returns the root and all
 * node blocks. Fails with InvalidKey, InvalidOp (bad CID string) or OpMismatch (duplicate key).
 */
export function buildMst(entries: Iterable<readonly [key: string, value: string]>): Result<BuiltMst, MstError> {
  const editor = MstEditor.empty()
  try {
    for (const [key, value] of entries) {
      if (!isValidMstKey(key)) return err(new MstError('InvalidKey', `invalid mst key key=${JSON.stringify(key)}`))
      const cid = cidFromString(value)
      if (cid === undefined) return err(new MstError('InvalidOp', `value is not a cidv1 string key=${key}`))
      editor.insert(key, cid)
    }
    const blocks = new Map<string, Uint8Array>()
    const root = cidToString(editor.rootCid(blocks))
    return ok({ root, blocks })
  } catch (cause) {
    if (cause instanceof MstError) return err(cause)
    throw cause
  }
}
