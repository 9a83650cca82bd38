import { randomBytes } from 'node:crypto'
import { TID } from '@atproto/common'
import { Secp256k1Keypair } from '@atproto/crypto'
import { type FixtureAccount, type FixtureKeyType, mapLimit, registerAccount } from './firehose-accounts.js'
import { createRng, type Rng } from './firehose-random.js'
import {
  ACCOUNT_RKEY,
  collections,
  type DeclarationScopeKind,
  DONOTTRAIN_TAG,
  declarationRecord,
  followRecord,
  type LexRecord,
  likeRecord,
  PROFILE_RKEY,
  postRecord,
  profileRecord,
  repostRecord,
  type StrongRef,
} from './firehose-records.js'
import { AccountRepo, type PlannedWrite } from './firehose-repo.js'

export interface FirehoseOptions {
  /** The PLC directory every account's DID is registered in (e.g. `startLocalNetwork().plcUrl`). */
  plcUrl: string
  /** Number of accounts. */
  accounts: number
  /** Seeds the shape of the stream (op mix, accounts picked, texts); keys, DIDs, TIDs and times still differ per run. */
  seed?: number
  /** Share of ops that write an `ai.donottrain.declaration` (default 0.01); #donottrain posts are half as frequent. */
  declarationRatio?: number
  /** Share of accounts with a P-256 key; the rest are secp256k1 (default 0.1). */
  p256Ratio?: number
  /** Records each repo holds before the stream starts, on average (default 40): realistic MST depth. */
  historyRecords?: number
  /** The `#atproto_pds` endpoint written into each DID document (default https://pds.donottrain.test). */
  pdsEndpoint?: string
  /** The seq of the first frame (default 1). */
  startSeq?: number
}

export type RelevantKind = 'declaration' | 'post-tag' | 'profile-tag'

/** What one generated frame holds, for tests that pick a frame to corrupt or check. */
export interface FrameInfo {
  seq: number
  did: string
  rev: string
  since: string | null
  commit: string
  /** CID of the MST root before this commit. */
  prevData: string
  ops: Array<{ action: 'create' | 'update' | 'delete'; path: string; cid: string | null; prev?: string }>
  /** True when an op touches a declaration-relevant record (see {@link FirehoseExpected}). */
  relevant: boolean
}

export interface GeneratedFrame {
  bytes: Uint8Array
  info: FrameInfo
}

/**
 * The state an indexer that accepted every frame so far must hold: every current
 * declaration-relevant record (`ai.donottrain.declaration`, posts with a #donottrain tag facet,
 * profiles whose description holds #donottrain) by at-uri, with its CID.
 */
export interface FirehoseExpected {
  declarations: Map<string, string>
  kinds: Map<string, RelevantKind>
}

export interface FirehoseGenerator {
  readonly accounts: readonly FixtureAccount[]
  readonly expected: FirehoseExpected
  /** The seq the next frame will get. */
  readonly nextSeq: number
  /** Generates the next `count` `#commit` frames, continuing every account's chain. */
  next(count: number): Promise<GeneratedFrame[]>
  /** The current head of an account's repo. */
  head(did: string): { rev: string; commit: string; data: string } | undefined
}

const BASE_MIX = {
  like: 0.47,
  follow: 0.18,
  post: 0.22,
  repost: 0.05,
  unlike: 0.03,
  unfollow: 0.02,
  deletePost: 0.01,
  profile: 0.01,
}
type OpKind = keyof typeof BASE_MIX | 'declaration' | 'taggedPost'

/** Creates the accounts (registered in the PLC directory) and their pre-stream repos. */
export async function createFirehoseGenerator(opts: FirehoseOptions): Promise<FirehoseGenerator> {
  const rng = createRng(opts.seed ?? 1)
  const ratio = opts.declarationRatio ?? 0.01
  const p256Every = (opts.p256Ratio ?? 0.1) > 0 ? Math.max(1, Math.round(1 / (opts.p256Ratio ?? 0.1))) : 0
  const mix: Record<OpKind, number> = { ...BASE_MIX, declaration: ratio, taggedPost: ratio / 2 }
  const token = randomBytes(3).toString('hex')
  const rotationKey = await Secp256k1Keypair.create({ exportable: true })
  const pdsEndpoint = opts.pdsEndpoint ?? 'https://pds.donottrain.test'
  const keep = new Set<string>([collections.profile, collections.declaration])

  const accounts = await mapLimit(Array.from({ length: opts.accounts }), 16, (_, i) => {
    const keyType: FixtureKeyType = p256Every > 0 && i % p256Every === 1 % p256Every ? 'p256' : 'secp256k1'
    return registerAccount({ plcUrl: opts.plcUrl, handle: `fx${i}-${token}.test`, keyType, rotationKey, pdsEndpoint })
  })
  const posts: StrongRef[] = []
  const now = Date.now()
  const repos: AccountRepo[] = []
  for (const account of accounts) {
    const n = rng.int(0, 2 * (opts.historyRecords ?? 40))
    const history: Array<{ collection: string; record: LexRecord; createdAtMs: number }> = []
    for (let j = 0; j < n; j++) {
      const at = now - rng.int(2, 365) * 86_400_000 - rng.int(0, 86_400_000)
      const createdAt = new Date(at).toISOString()
      const kind = rng.weighted({ like: 50, follow: 20, post: 25, repost: 5 })
      const record =
        kind === 'follow'
          ? followRecord(rng.pick(accounts).did, createdAt)
          : kind === 'post' || posts.length === 0
            ? postRecord(rng, createdAt)
            : kind === 'like'
              ? likeRecord(rng.pick(posts), createdAt)
              : repostRecord(rng.pick(posts), createdAt)
      history.push({ collection: record.$type, record, createdAtMs: at })
    }
    const repo = await AccountRepo.create(account, history, keep)
    for (const [path, stored] of repo.records) {
      if (path.startsWith(`${collections.post}/`))
        posts.push({ uri: `at://${account.did}/${path}`, cid: `${stored.cid}` })
    }
    repos.push(repo)
  }
  // Activity is skewed: a few accounts write much more than the rest.
  const weights = repos.map(() => rng.next() ** 3 + 0.02)
  const totalWeight = weights.reduce((a, b) => a + b, 0)
  const byDid = new Map(repos.map((r) => [r.account.did, r]))
  const expected: FirehoseExpected = { declarations: new Map(), kinds: new Map() }
  let seq = opts.startSeq ?? 1

  const pickRepo = (): AccountRepo => {
    let roll = rng.next() * totalWeight
    for (const [i, w] of weights.entries()) {
      roll -= w
      if (roll < 0) return repos[i] as AccountRepo
    }
    return repos.at(-1) as AccountRepo
  }

  const plan = (repo: AccountRepo, used: Set<string>): PlannedWrite | undefined => {
    const createdAt = new Date().toISOString()
    let kind = rng.weighted(mix)
    if (posts.length === 0 && (kind === 'like' || kind === 'repost')) kind = 'post'
    const existing = (collection: string) => {
      const rkey = repo.bag(collection).pick(rng)
      return rkey && !used.has(`${collection}/${rkey}`) ? rkey : undefined
    }
    const create = (collection: string, record: LexRecord, rkey = TID.nextStr()): PlannedWrite => ({
      action: 'create',
      collection,
      rkey,
      record,
    })
    switch (kind) {
      case 'like':
        return create(collections.like, likeRecord(rng.pick(posts), createdAt))
      case 'repost':
        return create(collections.repost, repostRecord(rng.pick(posts), createdAt))
      case 'follow':
        return create(collections.follow, followRecord(rng.pick(accounts).did, createdAt))
      case 'post':
      case 'taggedPost': {
        const parent = posts.length > 0 && rng.chance(0.3) ? rng.pick(posts) : undefined
        const reply = parent ? { root: parent, parent } : undefined
        return create(collections.post, postRecord(rng, createdAt, { reply, tagged: kind === 'taggedPost' }))
      }
      case 'unlike':
      case 'unfollow':
      case 'deletePost': {
        const collection =
          kind === 'unlike' ? collections.like : kind === 'unfollow' ? collections.follow : collections.post
        const rkey = existing(collection)
        return rkey ? { action: 'delete', collection, rkey } : undefined
      }
      case 'profile': {
        const exists = repo.records.has(`${collections.profile}/${PROFILE_RKEY}`)
        const record = profileRecord(rng, repo.account.handle, createdAt, rng.chance(0.25))
        return { action: exists ? 'update' : 'create', collection: collections.profile, rkey: PROFILE_RKEY, record }
      }
      case 'declaration':
        return planDeclaration(rng, repo, createdAt, existing)
    }
  }

  const track = (did: string, writes: PlannedWrite[], cids: Array<string | null>): boolean => {
    let relevant = false
    for (const [i, w] of writes.entries()) {
      const uri = `at://${did}/${w.collection}/${w.rkey}`
      const cid = cids[i]
      const kind = relevantKind(w)
      if (kind && cid) {
        expected.declarations.set(uri, cid)
        expected.kinds.set(uri, kind)
        relevant = true
      } else if (expected.declarations.delete(uri)) {
        expected.kinds.delete(uri)
        relevant = true
      } else if (w.collection === collections.declaration) {
        relevant = true
      }
    }
    return relevant
  }

  return {
    accounts,
    expected,
    get nextSeq() {
      return seq
    },
    head(did) {
      const repo = byDid.get(did)
      return repo && { rev: repo.rev, commit: `${repo.commitCid}`, data: `${repo.dataCid}` }
    },
    async next(count) {
      const out: GeneratedFrame[] = []
      while (out.length < count) {
        const repo = pickRepo()
        const used = new Set<string>()
        const writes: PlannedWrite[] = []
        const n = rng.chance(0.06) ? rng.int(2, 4) : 1
        for (let k = 0; k < n * 3 && writes.length < n; k++) {
          const w = plan(repo, used)
          if (!w || used.has(`${w.collection}/${w.rkey}`)) continue
          used.add(`${w.collection}/${w.rkey}`)
          writes.push(w)
        }
        if (writes.length === 0) continue
        const built = await repo.commit(writes, seq)
        const did = repo.account.did
        for (const [i, w] of writes.entries()) {
          const cid = built.ops[i]?.cid
          if (w.collection === collections.post && w.action === 'create' && cid) {
            posts.push({ uri: `at://${did}/${w.collection}/${w.rkey}`, cid: `${cid}` })
          }
        }
        if (posts.length > 5000) posts.splice(0, 1000)
        const relevant = track(
          did,
          writes,
          built.ops.map((op) => (op.cid ? `${op.cid}` : null)),
        )
        out.push({
          bytes: built.bytes,
          info: {
            seq,
            did,
            rev: built.rev,
            since: built.since,
            commit: `${built.cid}`,
            prevData: `${built.prevData}`,
            ops: built.ops.map((op) => ({
              action: op.action,
              path: op.path,
              cid: op.cid ? `${op.cid}` : null,
              ...(op.prev ? { prev: `${op.prev}` } : {}),
            })),
            relevant,
          },
        })
        seq++
      }
      return out
    },
  }
}

function relevantKind(w: PlannedWrite): RelevantKind | undefined {
  if (!w.record) return undefined
  if (w.collection === collections.declaration) return 'declaration'
  const tagged = (text: unknown) => typeof text === 'string' && text.includes(`#${DONOTTRAIN_TAG}`)
  if (w.collection === collections.post && tagged(w.record.text)) return 'post-tag'
  if (w.collection === collections.profile && tagged(w.record.description)) return 'profile-tag'
  return undefined
}

function planDeclaration(
  rng: Rng,
  repo: AccountRepo,
  createdAt: string,
  existing: (collection: string) => string | undefined,
): PlannedWrite | undefined {
  const collection = collections.declaration
  const rkey = existing(collection)
  const action = rkey ? rng.weighted({ create: 0.5, update: 0.3, delete: 0.2 }) : 'create'
  if (action === 'delete' && rkey) return { action, collection, rkey }
  const handle = repo.account.handle
  if (action === 'update' && rkey) {
    const scope = scopeKindOf(repo.records.get(`${collection}/${rkey}`)?.record)
    const ownPost = scope === 'record' ? ownPostRef(rng, repo) : undefined
    return { action, collection, rkey, record: declarationRecord(rng, scope, createdAt, { handle, ownPost }) }
  }
  if (!repo.records.has(`${collection}/${ACCOUNT_RKEY}`) && rng.chance(0.5)) {
    const record = declarationRecord(rng, 'account', createdAt, { handle })
    return { action: 'create', collection, rkey: ACCOUNT_RKEY, record }
  }
  const scope = rng.pick<DeclarationScopeKind>(['record', 'record', 'collection', 'origin'])
  const ownPost = ownPostRef(rng, repo)
  const record = declarationRecord(rng, scope, createdAt, { handle, ownPost })
  return { action: 'create', collection, rkey: TID.nextStr(), record }
}

function ownPostRef(rng: Rng, repo: AccountRepo): StrongRef | undefined {
  const rkey = repo.bag(collections.post).pick(rng)
  const stored = rkey && repo.records.get(`${collections.post}/${rkey}`)
  return stored ? { uri: `at://${repo.account.did}/${collections.post}/${rkey}`, cid: `${stored.cid}` } : undefined
}

function scopeKindOf(record: LexRecord | undefined): DeclarationScopeKind {
  const type: unknown = record?.scope?.$type
  if (typeof type !== 'string') return 'collection'
  const kind = type.slice(type.indexOf('#') + 1).replace(/Scope$/, '')
  return kind === 'account' || kind === 'record' || kind === 'origin' ? kind : 'collection'
}

export interface GeneratedFirehose {
  frames: Uint8Array[]
  info: FrameInfo[]
  accounts: FixtureAccount[]
  expected: FirehoseExpected
  /** Continues the same accounts' chains (`generator.next(n)`), e.g. for long runs. */
  generator: FirehoseGenerator
}

/**
 * Generates `commits` realistic signed `#commit` frames over `accounts` accounts registered in
 * the PLC directory at `plcUrl`: the bytes a Sync 1.1 PDS sends on com.atproto.sync.subscribeRepos.
 */
export async function generateFirehose(opts: FirehoseOptions & { commits: number }): Promise<GeneratedFirehose> {
  const generator = await createFirehoseGenerator(opts)
  const generated = await generator.next(opts.commits)
  return {
    frames: generated.map((g) => g.bytes),
    info: generated.map((g) => g.info),
    accounts: [...generator.accounts],
    expected: generator.expected,
    generator,
  }
}
