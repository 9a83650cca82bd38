export { interopDir, interopPath, readInteropJson, readInteropLines, repoRoot } from './interop.js'
export { type LocalNetwork, startLocalNetwork, type TestAccount } from './network.js'
export { findPostgresBin, type LocalPostgres, startPostgres } from './postgres.js'
export { type WaitOptions, waitFor } from './wait.js'
