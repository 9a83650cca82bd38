import { err, ok, type Result } from '@donottrain/lexicon'
import { fromBase64 } from '../tlog/bytes.js'
import { MonitorError } from './errors.js'

/** What a monitor remembers between runs: the last checkpoint it verified, and the key that signed it. */
export interface MonitorState {
  version: 1
  indexer: string
  origin: string
  verifierKey: string
  size: number
  /** base64 */
  rootHash: string
  /** The signed checkpoint note (evidence, should the log later contradict it). */
  note: string
  seenAt: string
}

/** Largest state file read. */
export const MAX_MONITOR_STATE_BYTES = 64 * 1024

/** Parses a state file's text, strictly. */
export function parseMonitorState(text: string): Result<MonitorState, MonitorError> {
  const bad = (why: string) => err(new MonitorError('bad-response', `monitor state is malformed: ${why}`))
  if (text.length > MAX_MONITOR_STATE_BYTES) return bad('too large')
  let v: Partial<MonitorState>
  try {
    v = JSON.parse(text)
  } catch {
    return bad('not json')
  }
  if (v?.version !== 1) return bad('unknown version')
  for (const k of ['indexer', 'origin', 'verifierKey', 'rootHash', 'note', 'seenAt'] as const) {
    if (typeof v[k] !== 'string') return bad(`${k} missing`)
  }
  if (!Number.isSafeInteger(v.size) || (v.size as number) < 0) return bad('size must be a count')
  if (fromBase64(v.rootHash as string)?.length !== 32) return bad('rootHash must be base64 of 32 bytes')
  return ok(v as MonitorState)
}
