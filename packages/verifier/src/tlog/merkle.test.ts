import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from './bytes.js'
import { MemoryTree } from './memory-tree.js'
import { emptyRoot, leafHash, nodeHash, rootFromLeafHashes } from './merkle.js'
import { consistencyProof, inclusionProof, rootAt } from './proof-build.js'
import { verifyConsistency, verifyInclusion } from './proof-verify.js'

// Published RFC 6962 vectors: see testdata/rfc6962.json for their source.
const vectors = JSON.parse(readFileSync(new URL('./testdata/rfc6962.json', import.meta.url), 'utf8')) as {
  leaves: string[]
  roots: string[]
  nodes: string[][]
  inclusion: { index: number; size: number; proof: string[] }[]
  consistency: { oldSize: number; newSize: number; proof: string[] }[]
}
const leaves = vectors.leaves.map(fromHex)
const roots = vectors.roots.map(fromHex)
const root = (size: number) => roots[size] as Uint8Array
const someHash = fromHex('abacaba000000000000000000000000000000000000000000060061e00123456')

/** A copy of a hash with one bit of its first byte flipped. */
function flipBit(hash: Uint8Array, bit: number): Uint8Array {
  const copy = hash.slice()
  copy[0] = (copy[0] as number) ^ (1 << bit)
  return copy
}

function referenceTree(): MemoryTree {
  const tree = new MemoryTree()
  for (const leaf of leaves) tree.append(leaf)
  return tree
}

describe('leafHash and nodeHash', () => {
  it('hash the empty leaf to the published size-1 root', () => {
    expect(toHex(leafHash(new Uint8Array(0)))).toBe(vectors.roots[1])
  })

  it('give the published level-0 and level-1 nodes', () => {
    const level0 = leaves.map(leafHash)
    expect(level0.map(toHex)).toEqual(vectors.nodes[0])
    const level1 = [0, 2, 4, 6].map((i) => nodeHash(level0[i] as Uint8Array, level0[i + 1] as Uint8Array))
    expect(level1.map(toHex)).toEqual(vectors.nodes[1])
  })

  it('give SHA-256 of nothing for the empty tree', () => {
    expect(toHex(emptyRoot())).toBe(vectors.roots[0])
  })
})

describe('rootFromLeafHashes', () => {
  it('gives the published root for every prefix of the reference tree', () => {
    for (let size = 0; size <= leaves.length; size++) {
      expect(toHex(rootFromLeafHashes(leaves.slice(0, size).map(leafHash))), `size=${size}`).toBe(vectors.roots[size])
    }
  })

  it('rejects leaf hashes of the wrong length', () => {
    expect(() => rootFromLeafHashes([new Uint8Array(31)])).toThrow(TypeError)
  })
})

describe('MemoryTree', () => {
  it('stores the published complete-subtree nodes', () => {
    const tree = referenceTree()
    for (const [l, level] of vectors.nodes.entries()) {
      for (const [i, hash] of level.entries()) expect(toHex(tree.getNode(l, i)), `level=${l} index=${i}`).toBe(hash)
    }
  })

  it('gives the published root at every past size', () => {
    const tree = referenceTree()
    for (let size = 0; size <= leaves.length; size++) {
      expect(toHex(tree.rootAt(size)), `size=${size}`).toBe(vectors.roots[size])
    }
  })

  it('rejects sizes above the tree and missing nodes', () => {
    const tree = referenceTree()
    expect(() => tree.rootAt(9)).toThrowError(/size above tree size/)
    expect(() => tree.inclusionProof(8, 8)).toThrowError(/index out of range/)
    expect(() => tree.consistencyProof(5, 4)).toThrowError(/old size above new size/)
    expect(() => tree.getNode(3, 1)).toThrowError(/no complete subtree/)
    expect(() => tree.rootAt(-1)).toThrowError(/non-negative/)
    expect(() => tree.appendLeafHash(new Uint8Array(5))).toThrowError(/32 bytes/)
  })
})

describe('inclusionProof', () => {
  for (const v of vectors.inclusion) {
    it(`generates the published proof index=${v.index} size=${v.size}`, async () => {
      const tree = referenceTree()
      expect(tree.inclusionProof(v.index, v.size).map(toHex)).toEqual(v.proof)
      expect((await inclusionProof(v.size, v.index, tree)).map(toHex)).toEqual(v.proof)
    })
  }

  it('throws on an index outside the tree', async () => {
    await expect(inclusionProof(3, 3, referenceTree())).rejects.toThrowError(/index out of range index=3 size=3/)
    await expect(inclusionProof(0, 0, referenceTree())).rejects.toThrowError(/index out of range/)
  })
})

describe('consistencyProof', () => {
  for (const v of vectors.consistency) {
    it(`generates the published proof ${v.oldSize}->${v.newSize}`, async () => {
      const tree = referenceTree()
      expect(tree.consistencyProof(v.oldSize, v.newSize).map(toHex)).toEqual(v.proof)
      expect((await consistencyProof(v.oldSize, v.newSize, tree)).map(toHex)).toEqual(v.proof)
    })
  }

  it('is empty from the empty tree', async () => {
    expect(await consistencyProof(0, 8, referenceTree())).toEqual([])
  })
})

describe('rootAt', () => {
  it('gives the published roots through the async API', async () => {
    const tree = referenceTree()
    for (let size = 0; size <= 8; size++) expect(toHex(await rootAt(size, tree))).toBe(vectors.roots[size])
  })
})

// The corruption probes of transparency-dev/merkle proof/verify_test.go.
function inclusionProbes(index: number, size: number, proof: Uint8Array[], rootHash: Uint8Array, leaf: Uint8Array) {
  const probes: [string, number, number, Uint8Array, Uint8Array, Uint8Array[]][] = [
    ['index - 1', index - 1, size, rootHash, leaf, proof],
    ['index + 1', index + 1, size, rootHash, leaf, proof],
    ['index ^ 2', index ^ 2, size, rootHash, leaf, proof],
    ['size * 2', index, size * 2, rootHash, leaf, proof],
    ['size / 2', index, Math.floor(size / 2), rootHash, leaf, proof],
    ['wrong leaf', index, size, rootHash, new TextEncoder().encode('WrongLeaf'), proof],
    ['empty root', index, size, emptyRoot(), leaf, proof],
    ['random root', index, size, someHash, leaf, proof],
    ['trailing garbage', index, size, rootHash, leaf, [...proof, new Uint8Array(0)]],
    ['trailing root', index, size, rootHash, leaf, [...proof, rootHash]],
    ['preceding garbage', index, size, rootHash, leaf, [new Uint8Array(0), ...proof]],
    ['preceding root', index, size, rootHash, leaf, [rootHash, ...proof]],
  ]
  proof.forEach((_, i) => {
    const wrong = proof.map((h, k) => (k === i ? flipBit(h, 3) : h))
    probes.push([`modified proof[${i}] bit 3`, index, size, rootHash, leaf, wrong])
  })
  if (proof.length > 0) probes.push(['removed component', index, size, rootHash, leaf, proof.slice(0, -1)])
  if (proof.length > 1) {
    probes.push([
      'inserted component',
      index,
      size,
      rootHash,
      leaf,
      [proof[0] as Uint8Array, someHash, ...proof.slice(1)],
    ])
  }
  return probes
}

describe('verifyInclusion', () => {
  for (const v of vectors.inclusion) {
    it(`accepts the published proof and rejects its corruptions index=${v.index} size=${v.size}`, () => {
      const leaf = leafHash(leaves[v.index] as Uint8Array)
      const proof = v.proof.map(fromHex)
      expect(verifyInclusion(leaf, v.index, v.size, proof, root(v.size))).toEqual({ ok: true })
      for (const [desc, index, size, r, l, p] of inclusionProbes(v.index, v.size, proof, root(v.size), leaf)) {
        expect(verifyInclusion(l, index, size, p, r).ok, desc).toBe(false)
      }
    })
  }

  it('rejects what cannot be a tree position', () => {
    for (const [index, size] of [
      [0, 0],
      [1, 0],
      [2, 1],
      [-1, 4],
      [0.5, 4],
      [0, Number.POSITIVE_INFINITY],
    ] as const) {
      const result = verifyInclusion(someHash, index, size, [], emptyRoot())
      expect(result.ok, `index=${index} size=${size}`).toBe(false)
    }
    const result = verifyInclusion(someHash, 3, 3, [], someHash)
    expect(!result.ok && result.error.code).toBe('index-out-of-range')
  })

  it('accepts a single-leaf tree only with matching 32-byte hashes', () => {
    const hash = leafHash(new TextEncoder().encode('data'))
    expect(verifyInclusion(hash, 0, 1, [], hash).ok).toBe(true)
    const wrongLength = verifyInclusion(hash, 0, 1, [], new Uint8Array(0))
    expect(!wrongLength.ok && wrongLength.error.code).toBe('bad-hash-length')
    expect(verifyInclusion(new Uint8Array(0), 0, 1, [], hash).ok).toBe(false)
    const mismatch = verifyInclusion(hash, 0, 1, [], someHash)
    expect(!mismatch.ok && mismatch.error.code).toBe('root-mismatch')
  })

  it('names the failure of a too long and a too short proof', () => {
    const v = vectors.inclusion[1] as { index: number; size: number; proof: string[] }
    const proof = v.proof.map(fromHex)
    const long = verifyInclusion(leafHash(leaves[0] as Uint8Array), 0, 8, [...proof, someHash], root(8))
    expect(!long.ok && long.error.code).toBe('wrong-proof-length')
    const short = verifyInclusion(leafHash(leaves[0] as Uint8Array), 0, 8, proof.slice(0, 2), root(8))
    expect(!short.ok && short.error.code).toBe('wrong-proof-length')
  })
})

describe('verifyConsistency', () => {
  for (const v of vectors.consistency) {
    it(`accepts the published proof and rejects its corruptions ${v.oldSize}->${v.newSize}`, () => {
      const proof = v.proof.map(fromHex)
      const [s1, s2, r1, r2] = [v.oldSize, v.newSize, root(v.oldSize), root(v.newSize)]
      expect(verifyConsistency(s1, s2, r1, r2, proof)).toEqual({ ok: true })
      if (proof.length === 0) return
      const wrongRoot = new TextEncoder().encode('WrongRoot')
      const probes: [string, number, number, Uint8Array, Uint8Array, Uint8Array[]][] = [
        ['size1 - 1', s1 - 1, s2, r1, r2, proof],
        ['size1 + 1', s1 + 1, s2, r1, r2, proof],
        ['size1 ^ 2', s1 ^ 2, s2, r1, r2, proof],
        ['size2 * 2', s1, s2 * 2, r1, r2, proof],
        ['size2 / 2', s1, Math.floor(s2 / 2), r1, r2, proof],
        ['wrong root1', s1, s2, wrongRoot, r2, proof],
        ['wrong root2', s1, s2, r1, wrongRoot, proof],
        ['swapped roots', s1, s2, r2, r1, proof],
        ['empty proof', s1, s2, r1, r2, []],
        ['trailing garbage', s1, s2, r1, r2, [...proof, new Uint8Array(0)]],
        ['trailing root1', s1, s2, r1, r2, [...proof, r1]],
        ['trailing root2', s1, s2, r1, r2, [...proof, r2]],
        ['preceding garbage', s1, s2, r1, r2, [new Uint8Array(0), ...proof]],
        ['preceding root1', s1, s2, r1, r2, [r1, ...proof]],
        ['preceding root2', s1, s2, r1, r2, [r2, ...proof]],
        ['preceding proof[0]', s1, s2, r1, r2, [proof[0] as Uint8Array, ...proof]],
        ['truncated proof', s1, s2, r1, r2, proof.slice(0, -1)],
      ]
      proof.forEach((_, i) => {
        const wrong = proof.map((h, k) => (k === i ? flipBit(h, 4) : h))
        probes.push([`modified proof[${i}] bit 4`, s1, s2, r1, r2, wrong])
      })
      for (const [desc, a, b, ra, rb, p] of probes) expect(verifyConsistency(a, b, ra, rb, p).ok, desc).toBe(false)
    })
  }

  // transparency-dev/merkle TestVerifyConsistency, with 32-byte stand-in roots: the empty tree
  // here must have the empty root (Go does not check it).
  it('handles the trivial cases', () => {
    const [root1, root2, empty] = [someHash, leafHash(someHash), emptyRoot()]
    const cases: [number, number, Uint8Array, Uint8Array, Uint8Array[], boolean][] = [
      [0, 0, root1, root2, [], false],
      [1, 1, root1, root2, [], false],
      [0, 0, empty, empty, [], true],
      [0, 1, empty, root2, [], true],
      [1, 1, root2, root2, [], true],
      [0, 1, root1, root2, [], false],
      [1, 0, root1, root2, [], false],
      [2, 1, root1, root2, [], false],
      [1, 2, root1, root2, [], false],
      [0, 0, empty, root2, [], false],
      [1, 1, empty, root2, [], false],
      [0, 0, empty, empty, [empty], false],
      [0, 1, empty, empty, [empty], false],
      [1, 1, empty, empty, [empty], false],
    ]
    for (const [s1, s2, r1, r2, proof, want] of cases) {
      expect(verifyConsistency(s1, s2, r1, r2, proof).ok, `${s1}->${s2}`).toBe(want)
    }
    const back = verifyConsistency(2, 1, root1, root2, [])
    expect(!back.ok && back.error.code).toBe('size-order')
  })
})
