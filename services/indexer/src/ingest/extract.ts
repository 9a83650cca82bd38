import { decode } from '@atcute/cbor'
import type { RecordChange } from '../db/record-write.js'
import { PROCESSOR_BY_COLLECTION } from '../processors/index.js'

/** The collection of a repo path (`<collection>/<rkey>`). */
export function collectionOf(path: string): string {
  const slash = path.indexOf('/')
  return slash < 0 ? path : path.slice(0, slash)
}

/** True when some processor reads this path's collection. */
export function isRelevantPath(path: string): boolean {
  return PROCESSOR_BY_COLLECTION.has(collectionOf(path))
}

/**
 * What one record version at `path` means for the store: the declaration it makes with its
 * proof (`extracted` set), or none (`extracted` null: a stored one there is removed). Returns
 * null, after counting the reason with `reject`, when the op must be dropped: a bad path, a
 * missing or undecodable record block, or no proof. A `cid` of null is a deletion.
 */
export function recordChange(
  did: string,
  path: string,
  cid: string | null,
  blocks: ReadonlyMap<string, Uint8Array>,
  prove: (path: string) => Uint8Array | null,
  reject: (reason: string) => void,
): RecordChange | null {
  const collection = collectionOf(path)
  const rkey = path.slice(collection.length + 1)
  const uri = `at://${did}/${path}`
  const processor = PROCESSOR_BY_COLLECTION.get(collection)
  if (!processor || rkey === '' || rkey.includes('/')) {
    reject('bad-path')
    return null
  }
  if (cid === null) return { uri, collection, rkey, cid: null, extracted: null, proof: null }
  const block = blocks.get(cid)
  if (!block) {
    reject('record-block-missing')
    return null
  }
  let record: unknown
  try {
    record = decode(block)
  } catch {
    reject('record-bad-cbor')
    return null
  }
  const { value, rejected } = processor.extract(record, { did, collection, rkey, uri, cid })
  if (rejected) reject(`record-${rejected}`)
  const proof = value ? prove(path) : null
  if (value && !proof) {
    reject('proof-unavailable')
    return null
  }
  return { uri, collection, rkey, cid, extracted: value, proof }
}
