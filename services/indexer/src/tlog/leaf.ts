// The leaf encoding is shared with monitors: its one copy lives in @donottrain/verifier.
export { encodeLeaf, type LeafFields, leafFields } from '@donottrain/verifier'
