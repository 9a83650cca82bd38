export {
  DID_KEY_PREFIX,
  type DidKeyErrorCode,
  formatDidKey,
  formatMultikey,
  InvalidDidKeyError,
  parseDidKey,
} from './did-key.js'
export { hasNativeSecp256k1 } from './native-secp256k1.js'
export type { KeyType, ParsedKey } from './types.js'
export { type VerifyImpl, type VerifyOptions, verifyDidKeySignature, verifySignature } from './verify.js'
