import { describe, expect, it } from 'vitest'
import { bytesEqual, toHex } from './bytes.js'
import type { HashReader, NodeId } from './hash-reader.js'
import { MemoryTree } from './memory-tree.js'
import { emptyRoot, leafHash, nodeHash, rootFromLeafHashes } from './merkle.js'
import { appendNodes, consistencyProof, inclusionProof, rootAt } from './proof-build.js'
import { verifyConsistency, verifyInclusion } from './proof-verify.js'

// Random trees checked against a direct transcription of the RFC 9162 2.1 definitions
// (MTH, PATH, SUBPROOF), which shares no code with the implementation but the two hashes.

const N = 300

function prng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const random = prng(20240607)
const randomInt = (n: number) => Math.floor(random() * n)

// distinct leaves: a 4-byte index, then 0..40 random bytes
const leafData = Array.from({ length: N }, (_, i) => {
  const data = new Uint8Array(4 + randomInt(41))
  new DataView(data.buffer).setUint32(0, i)
  for (let j = 4; j < data.length; j++) data[j] = randomInt(256)
  return data
})

const memo = new Map<string, Uint8Array>()
function mth(start: number, end: number): Uint8Array {
  const key = `${start}:${end}`
  let hash = memo.get(key)
  if (!hash) {
    const n = end - start
    if (n === 0) hash = emptyRoot()
    else if (n === 1) hash = leafHash(leafData[start] as Uint8Array)
    else {
      const k = largestPowerBelow(n)
      hash = nodeHash(mth(start, start + k), mth(start + k, end))
    }
    memo.set(key, hash)
  }
  return hash
}
function largestPowerBelow(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}
function path(m: number, start: number, end: number): Uint8Array[] {
  const n = end - start
  if (n <= 1) return []
  const k = largestPowerBelow(n)
  if (m < k) return [...path(m, start, start + k), mth(start + k, end)]
  return [...path(m - k, start + k, end), mth(start, start + k)]
}
function subproof(m: number, start: number, end: number, b: boolean): Uint8Array[] {
  const n = end - start
  if (m === n) return b ? [] : [mth(start, end)]
  const k = largestPowerBelow(n)
  if (m <= k) return [...subproof(m, start, start + k, b), mth(start + k, end)]
  return [...subproof(m - k, start + k, end, false), mth(start, start + k)]
}
const refInclusion = (index: number, size: number) => path(index, 0, size)
const refConsistency = (m: number, n: number) => (m === 0 || m === n ? [] : subproof(m, 0, n, true))

const tree = new MemoryTree()
for (const data of leafData) tree.append(data)
const leaf = (i: number) => leafHash(leafData[i] as Uint8Array)
const root = (s: number) => mth(0, s)

const sampleSizes = [
  ...new Set([
    ...Array.from({ length: 70 }, (_, i) => i + 1),
    127,
    128,
    129,
    255,
    256,
    257,
    N,
    ...Array.from({ length: 30 }, () => 1 + randomInt(N)),
  ]),
]

function flipEveryBit(bytes: Uint8Array, check: (flipped: Uint8Array) => void): void {
  for (let bit = 0; bit < bytes.length * 8; bit++) {
    const flipped = bytes.slice()
    flipped[bit >> 3] = (flipped[bit >> 3] as number) ^ (1 << (bit & 7))
    check(flipped)
  }
}

describe('random trees', () => {
  it('have the RFC root at every size, however computed', async () => {
    const hashes = leafData.map((d) => leafHash(d))
    for (let s = 0; s <= N; s++) {
      expect(bytesEqual(tree.rootAt(s), root(s)), `size=${s}`).toBe(true)
      expect(bytesEqual(rootFromLeafHashes(hashes.slice(0, s)), root(s)), `size=${s}`).toBe(true)
    }
    expect(toHex(await rootAt(N, tree))).toBe(toHex(root(N)))
  })

  it('give the RFC inclusion proof for every leaf at many sizes, and it verifies', () => {
    let count = 0
    for (const s of sampleSizes) {
      for (let i = 0; i < s; i++) {
        const proof = tree.inclusionProof(i, s)
        expect(proof.map(toHex), `index=${i} size=${s}`).toEqual(refInclusion(i, s).map(toHex))
        expect(verifyInclusion(leaf(i), i, s, proof, root(s)).ok, `index=${i} size=${s}`).toBe(true)
        count++
      }
    }
    expect(count).toBeGreaterThan(5000)
  })

  it('give the RFC consistency proof for every pair of sizes up to 120, and it verifies', () => {
    for (let b = 0; b <= 120; b++) {
      for (let a = 0; a <= b; a++) {
        const proof = tree.consistencyProof(a, b)
        expect(proof.map(toHex), `${a}->${b}`).toEqual(refConsistency(a, b).map(toHex))
        expect(verifyConsistency(a, b, root(a), root(b), proof).ok, `${a}->${b}`).toBe(true)
      }
    }
  })

  it('give verifying consistency proofs for random pairs of sizes up to 300', () => {
    for (let n = 0; n < 1500; n++) {
      const b = randomInt(N + 1)
      const a = randomInt(b + 1)
      const proof = tree.consistencyProof(a, b)
      expect(proof.map(toHex), `${a}->${b}`).toEqual(refConsistency(a, b).map(toHex))
      expect(verifyConsistency(a, b, root(a), root(b), proof).ok, `${a}->${b}`).toBe(true)
    }
  })

  // verifications are counted and checked once: an expect per flipped bit would dominate the run time
  it('reject an inclusion proof with any bit flipped in the proof, the root or the leaf', () => {
    const accepted: string[] = []
    let tried = 0
    for (let n = 0; n < 16; n++) {
      const s = 2 + randomInt(N - 1)
      const i = randomInt(s)
      const proof = tree.inclusionProof(i, s)
      const check = (desc: string, ok: boolean) => {
        tried++
        if (ok) accepted.push(`index=${i} size=${s} ${desc}`)
      }
      for (const [k, hash] of proof.entries()) {
        flipEveryBit(hash, (flipped) =>
          check(`proof[${k}]`, verifyInclusion(leaf(i), i, s, proof.with(k, flipped), root(s)).ok),
        )
      }
      flipEveryBit(root(s), (flipped) => check('root', verifyInclusion(leaf(i), i, s, proof, flipped).ok))
      flipEveryBit(leaf(i), (flipped) => check('leaf', verifyInclusion(flipped, i, s, proof, root(s)).ok))
    }
    expect(accepted).toEqual([])
    expect(tried).toBeGreaterThan(16 * 2 * 256)
  })

  it('reject a consistency proof with any bit flipped in the proof or either root', () => {
    const accepted: string[] = []
    let tried = 0
    for (let n = 0; n < 16; n++) {
      const b = 2 + randomInt(N - 1)
      const a = 1 + randomInt(b - 1)
      const proof = tree.consistencyProof(a, b)
      const check = (desc: string, ok: boolean) => {
        tried++
        if (ok) accepted.push(`${a}->${b} ${desc}`)
      }
      for (const [k, hash] of proof.entries()) {
        flipEveryBit(hash, (flipped) =>
          check(`proof[${k}]`, verifyConsistency(a, b, root(a), root(b), proof.with(k, flipped)).ok),
        )
      }
      flipEveryBit(root(a), (flipped) => check('old root', verifyConsistency(a, b, flipped, root(b), proof).ok))
      flipEveryBit(root(b), (flipped) => check('new root', verifyConsistency(a, b, root(a), flipped, proof).ok))
    }
    expect(accepted).toEqual([])
    expect(tried).toBeGreaterThan(16 * 3 * 256)
  })

  it('reject an inclusion proof for another index or for another tree size', () => {
    for (let n = 0; n < 40; n++) {
      const s = 2 + randomInt(N - 1)
      const i = randomInt(s)
      const proof = tree.inclusionProof(i, s)
      for (let j = 0; j < s; j++) {
        if (j !== i) {
          expect(verifyInclusion(leaf(i), j, s, proof, root(s)).ok, `index=${i} as ${j} size=${s}`).toBe(false)
        }
      }
      for (let t = 1; t <= N; t++) {
        if (t !== s) {
          expect(verifyInclusion(leaf(i), i, t, proof, root(t)).ok, `index=${i} size=${s} as ${t}`).toBe(false)
        }
      }
    }
  })

  it('reject a consistency proof for other tree sizes', () => {
    for (let n = 0; n < 40; n++) {
      const b = 2 + randomInt(N - 1)
      const a = 1 + randomInt(b - 1)
      const proof = tree.consistencyProof(a, b)
      for (let x = 0; x <= b; x++) {
        if (x !== a) expect(verifyConsistency(x, b, root(x), root(b), proof).ok, `${a}->${b} as ${x}->${b}`).toBe(false)
      }
      for (let y = a; y <= N; y++) {
        if (y !== b) expect(verifyConsistency(a, y, root(a), root(y), proof).ok, `${a}->${b} as ${a}->${y}`).toBe(false)
      }
    }
  })
})

/** An async store as an indexer would have: a map of nodes, read in batches. */
class MapStore implements HashReader {
  readonly nodes = new Map<string, Uint8Array>()
  batches = 0
  reads = 0
  getNode(level: number, index: number): Uint8Array {
    const hash = this.nodes.get(`${level}/${index}`)
    if (!hash) throw new Error(`missing node level=${level} index=${index}`)
    return hash
  }
  async getNodes(ids: readonly NodeId[]): Promise<Uint8Array[]> {
    this.batches++
    this.reads += ids.length
    return ids.map((id) => this.getNode(id.level, id.index))
  }
}

describe('appendNodes and async proofs over a store', () => {
  it('build the same tree as MemoryTree, and proofs read O(log n) nodes in one batch', async () => {
    const store = new MapStore()
    for (let size = 0; size < N; size++) {
      for (const node of await appendNodes(size, leaf(size), store)) {
        store.nodes.set(`${node.level}/${node.index}`, node.hash)
      }
    }
    for (const [key, hash] of store.nodes) {
      const [level, index] = key.split('/').map(Number) as [number, number]
      expect(bytesEqual(tree.getNode(level, index), hash), key).toBe(true)
    }
    for (let n = 0; n < 200; n++) {
      const s = 1 + randomInt(N)
      const i = randomInt(s)
      const a = randomInt(s + 1)
      store.batches = 0
      store.reads = 0
      const inclusion = await inclusionProof(s, i, store)
      const consistency = await consistencyProof(a, s, store)
      expect(verifyInclusion(leaf(i), i, s, inclusion, await rootAt(s, store)).ok).toBe(true)
      expect(verifyConsistency(a, s, root(a), root(s), consistency).ok).toBe(true)
      expect(store.batches).toBeLessThanOrEqual(3)
      expect(store.reads).toBeLessThanOrEqual(3 * 2 * Math.ceil(Math.log2(s + 1)) + 3)
    }
  })

  it('rejects a store that returns something other than a 32-byte hash', async () => {
    const bad: HashReader = { getNode: () => new Uint8Array(31) }
    await expect(rootAt(2, bad)).rejects.toThrowError(/bad node/)
    await expect(appendNodes(0, new Uint8Array(3), bad)).rejects.toThrowError(/32 bytes/)
  })
})
