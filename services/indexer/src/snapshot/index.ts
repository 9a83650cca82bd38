export { SnapshotWriteError, type SnapshotWriteErrorCode, snapshotFromConfig } from './from-config.js'
export { type SnapshotSummary, type WriteSnapshotOptions, writeSnapshot } from './write-snapshot.js'
