import { bskyIds, err, ids, isValidRecordKey, ok, type Result } from '@donottrain/lexicon'
import { buildProofCar, DEFAULT_CAR_LIMITS, type KeyResolver, readCar, walkPath } from '@donottrain/verifier'
import type { RecordChange } from '../db/record-write.js'
import { collectionOf, recordChange } from '../ingest/extract.js'
import { SyncError } from './errors.js'
import { type RepoSnapshot, signedCommit } from './snapshot.js'
import { CAR_TYPE, type XrpcClient, xrpcGet, xrpcJson } from './xrpc.js'

/** Reading a collection stops past this many listRecords pages (of 100): such a repo is not read record by record. */
const MAX_LIST_PAGES = 100
const LIST_LIMIT = 100
/** Tries to see the listed collections and every proven path at one commit before giving up. */
const MAX_ROUNDS = 4

export interface TargetedOptions {
  client: XrpcClient
  /** The account's PDS base URL. */
  pds: string
  resolver: KeyResolver
  /** Collections listed in full (com.atproto.repo.listRecords). */
  collections: readonly string[]
  /** Stored declaration URIs of the account: each is proven present or absent. */
  knownUris: readonly string[]
  reject(reason: string): void
}

interface PathProof {
  commitCid: string
  rev: string
  dataCid: string
  recordCid: string | null
  blocks: Map<string, Uint8Array>
}

/**
 * Reads part of a repository record by record: every record of `collections` (found with
 * listRecords, which proves nothing) and every stored path, each fetched with
 * com.atproto.sync.getRecord — a signed commit and MST path that prove the record, or its
 * absence. All proofs must rest on one commit and the listing must not change while they are
 * fetched; otherwise the paths are fetched again, up to a few rounds (then Unstable, retried).
 */
export async function targetedSnapshot(did: string, opts: TargetedOptions): Promise<Result<RepoSnapshot, SyncError>> {
  const verified = new Set<string>()
  const proofs = new Map<string, PathProof>()
  const prefix = `at://${did}/`
  const known = opts.knownUris.filter((u) => u.startsWith(prefix)).map((u) => u.slice(prefix.length))
  let previous: string | undefined
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const listed = await listPaths(did, opts)
    if (!listed.ok) return listed
    const want = new Set([...listed.value, ...known])
    // With nothing to prove, an absence proof still pins the commit the snapshot rests on.
    if (want.size === 0) want.add(`${ids.AiDonottrainDeclaration}/self`)
    for (let pass = 0; pass < MAX_ROUNDS; pass++) {
      let newest = ''
      for (const path of want) {
        const rev = proofs.get(path)?.rev ?? ''
        if (rev > newest) newest = rev
      }
      const stale = [...want].filter((path) => (proofs.get(path)?.rev ?? '') < newest || !proofs.has(path))
      if (stale.length === 0) break
      for (const path of stale) {
        const proof = await provePath(did, path, opts, verified)
        if (!proof.ok) return proof
        proofs.set(path, proof.value)
      }
    }
    const commits = new Set([...want].map((path) => proofs.get(path)?.commitCid))
    const key = [...listed.value].sort().join('\n')
    if (commits.size === 1 && key === previous) return ok(snapshot(did, want, proofs, opts))
    previous = key
  }
  return err(new SyncError('Unstable', `repository kept changing while read record by record did=${did}`))
}

function snapshot(did: string, want: Set<string>, proofs: Map<string, PathProof>, opts: TargetedOptions): RepoSnapshot {
  const first = proofs.get(want.values().next().value as string) as PathProof
  const records: RecordChange[] = []
  for (const path of want) {
    const proof = proofs.get(path) as PathProof
    if (proof.recordCid === null) continue
    const prove = (p: string) => {
      const car = buildProofCar(proof.commitCid, proof.blocks, p)
      return car.ok ? car.value : null
    }
    const change = recordChange(did, path, proof.recordCid, proof.blocks, prove, opts.reject)
    if (change?.extracted) records.push(change)
  }
  return {
    did,
    rev: first.rev,
    dataCid: first.dataCid,
    commitCid: first.commitCid,
    records,
    covered: { collections: opts.collections, uris: [...want].map((path) => `at://${did}/${path}`) },
    mode: 'targeted',
  }
}

/** com.atproto.sync.getRecord for one path, verified: signed commit, MST path, presence or absence. */
async function provePath(
  did: string,
  path: string,
  opts: TargetedOptions,
  verified: Set<string>,
): Promise<Result<PathProof, SyncError>> {
  const collection = collectionOf(path)
  const rkey = path.slice(collection.length + 1)
  const bytes = await xrpcGet(
    opts.client,
    opts.pds,
    bskyIds.syncGetRecord,
    { did, collection, rkey },
    { accept: CAR_TYPE, maxBytes: DEFAULT_CAR_LIMITS.maxBytes },
  )
  if (!bytes.ok) return bytes
  const car = readCar(bytes.value)
  if (!car.ok) return err(new SyncError('BadResponse', `record car: ${car.error.message}`, { cause: car.error }))
  const commit = await signedCommit(did, car.value, opts.resolver, verified)
  if (!commit.ok) return commit
  const walked = walkPath(commit.value.data, path, car.value.blocks)
  if (!walked.ok) {
    return err(new SyncError('BadResponse', `record proof: ${walked.error.message}`, { cause: walked.error }))
  }
  return ok({
    commitCid: car.value.root,
    rev: commit.value.rev,
    dataCid: commit.value.data,
    recordCid: walked.value.value,
    blocks: car.value.blocks,
  })
}

/** The paths of every record in the listed collections (com.atproto.repo.listRecords, paginated). */
async function listPaths(did: string, opts: TargetedOptions): Promise<Result<string[], SyncError>> {
  const out: string[] = []
  for (const collection of opts.collections) {
    const prefix = `at://${did}/${collection}/`
    let cursor: string | undefined
    for (let page = 0; ; page++) {
      if (page >= MAX_LIST_PAGES) {
        return err(new SyncError('TooManyRecords', `more than ${MAX_LIST_PAGES * LIST_LIMIT} records in ${collection}`))
      }
      const res = await xrpcJson(opts.client, opts.pds, bskyIds.repoListRecords, {
        repo: did,
        collection,
        limit: LIST_LIMIT,
        cursor,
      })
      if (!res.ok) return res
      const { records, cursor: next } = res.value
      if (!Array.isArray(records)) return err(new SyncError('BadResponse', 'listRecords answer without records'))
      for (const record of records) {
        const uri = (record as { uri?: unknown })?.uri
        const rkey = typeof uri === 'string' && uri.startsWith(prefix) ? uri.slice(prefix.length) : ''
        if (!isValidRecordKey(rkey)) {
          return err(
            new SyncError('BadResponse', `listRecords gave a uri outside the collection collection=${collection}`),
          )
        }
        out.push(`${collection}/${rkey}`)
      }
      if (typeof next !== 'string' || next === '' || records.length === 0) break
      cursor = next
    }
  }
  return ok([...new Set(out)])
}
