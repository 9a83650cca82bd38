export { type CliRun, type CliRunOptions, runCli } from './cli.js'
export { createKeypair, type FixtureAccount, type FixtureKeyType, registerAccount } from './firehose-accounts.js'
export { encodeCar } from './firehose-car.js'
export {
  asCid,
  cborDepth,
  type ReferenceCheck,
  ReferenceChecker,
  type ReferenceCheckerOptions,
  type ReferenceCheckResult,
} from './firehose-check.js'
export {
  createFirehoseGenerator,
  type FirehoseExpected,
  type FirehoseGenerator,
  type FirehoseOptions,
  type FrameInfo,
  type GeneratedFirehose,
  type GeneratedFrame,
  generateFirehose,
  type RelevantKind,
} from './firehose-fixtures.js'
export {
  decodeFrame,
  encodeErrorFrame,
  encodeFrame,
  type FrameHeader,
  readSeq,
  withSeq,
} from './firehose-frame.js'
export {
  HOSTILE_KINDS,
  HOSTILE_TARGETS,
  type HostileFrame,
  type HostileKind,
  type HostileOptions,
  makeHostileFrame,
  makeSyncFrame,
} from './firehose-hostile.js'
export { collections as fixtureCollections, DONOTTRAIN_TAG } from './firehose-records.js'
export { type FrameServer, type FrameServerOptions, startFrameServer } from './frame-server.js'
export { interopDir, interopPath, readInteropJson, readInteropLines, repoRoot } from './interop.js'
export { type LocalNetwork, startLocalNetwork, type TestAccount } from './network.js'
export { findPostgresBin, type LocalPostgres, startPostgres } from './postgres.js'
export { type WaitOptions, waitFor } from './wait.js'
