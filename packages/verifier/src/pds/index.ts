export { PdsError, type PdsErrorCode } from './errors.js'
export { createNetwork, type NetworkOptions, type VerifierNetwork } from './network.js'
export { MAX_PROOF_BYTES, PdsClient, pdsEndpoint, type RecordRef } from './pds-client.js'
export { fetchTrustingOrigins } from './trusted-origins.js'
