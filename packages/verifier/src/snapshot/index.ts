export { encodeSnapshot, SnapshotEncoder } from './encode.js'
export type { SnapshotDeclaration } from './entry.js'
export { SnapshotError, type SnapshotErrorCode } from './errors.js'
export {
  type LoadedSnapshot,
  type LoadSnapshotOptions,
  loadSnapshot,
  manifestPathOf,
  SNAPSHOT_DEFAULTS,
  type SnapshotLimits,
  type SnapshotSource,
} from './load.js'
export {
  formatManifest,
  MAX_MANIFEST_BYTES,
  openManifest,
  parseManifest,
  SNAPSHOT_FORMAT,
  SNAPSHOT_MANIFEST_HEADER,
  type SnapshotManifest,
  signManifest,
} from './manifest.js'
export { type SnapshotCheck, SnapshotChecker, type SnapshotCheckOptions } from './snapshot-checker.js'
export { SnapshotData } from './snapshot-data.js'
