export { type BuiltMst, buildMst } from './build.js'
export {
  blockMatchesCid,
  CID_LENGTH,
  CODEC_DAG_CBOR,
  CODEC_RAW,
  cidEquals,
  cidForDagCbor,
  cidFromString,
  cidToString,
  isCidBytes,
  sha256,
} from './cid.js'
export { MstError, type MstErrorCode } from './errors.js'
export { invertOps, type MstOp } from './invert.js'
export { commonPrefixLength, formatMstKey, isValidMstKey, keyHeight, MAX_MST_KEY_LENGTH } from './key.js'
export { lookup, type MstPath, provePath, walkPath } from './lookup.js'
export { decodeNode, encodeNode } from './node-codec.js'
export type { BlockMap, MstEntry, MstNode } from './types.js'
