export { interopDir, interopPath, readInteropJson, readInteropLines, repoRoot } from './interop.js'
export { type LocalNetwork, startLocalNetwork, type TestAccount } from './network.js'
export { type WaitOptions, waitFor } from './wait.js'
