import { describe, expect, it } from 'vitest'
import { fromBase64, toBase64, utf8 } from './bytes.js'
import { signCheckpoint } from './checkpoint.js'
import { MemoryTree } from './memory-tree.js'
import { leafHash } from './merkle.js'
import { ed25519Signer, parseVerifierKey } from './note-key.js'
import { formatTlogProof, parseTlogProof, TLOG_PROOF_HEADER, verifyTlogProof } from './proof-text.js'

const ORIGIN = 'donottrain.example/log'
const signer = await ed25519Signer(ORIGIN, new Uint8Array(32).fill(7))
const stranger = await ed25519Signer(ORIGIN, new Uint8Array(32).fill(8))

const leafData = (i: number) => utf8(`entry ${i}`)
const tree = new MemoryTree()
for (let i = 0; i < 50; i++) tree.append(leafData(i))
const checkpoint = await signCheckpoint({ origin: ORIGIN, size: 50, rootHash: tree.rootAt(), extensions: [] }, signer)

const proofFor = (index: number, extra?: Uint8Array) =>
  formatTlogProof({ index, proof: tree.inclusionProof(index, 50), checkpoint, ...(extra ? { extra } : {}) })

async function verifyCode(text: string, leaf: Uint8Array, vkey = signer.verifierKey): Promise<string> {
  const result = await verifyTlogProof(text, leaf, vkey, { origin: ORIGIN })
  return result.ok ? 'ok' : result.error.code
}

describe('formatTlogProof and parseTlogProof', () => {
  // The lines before the checkpoint in the example of the C2SP tlog-proof specification.
  const SPEC_HEAD = [
    TLOG_PROOF_HEADER,
    'extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ',
    'index 73894',
    'gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=',
    'B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=',
    'EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=',
    'RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=',
    'AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=',
    '',
  ].join('\n')

  it('read the lines of the spec example and write them back byte for byte', () => {
    const text = `${SPEC_HEAD}\n${checkpoint}`
    const parsed = parseTlogProof(text)
    if (!parsed.ok) throw parsed.error
    expect(parsed.value.index).toBe(73894)
    expect(parsed.value.proof.map(toBase64)).toEqual(SPEC_HEAD.split('\n').slice(3, 8))
    expect(parsed.value.extra).toEqual(fromBase64('YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ'))
    expect(parsed.value.checkpoint).toBe(checkpoint)
    expect(formatTlogProof(parsed.value)).toBe(text)
  })

  it('round-trip proofs without extra data and with an empty proof', () => {
    const single = new MemoryTree()
    single.append(utf8('only'))
    for (const p of [
      { index: 0, proof: [], checkpoint },
      { index: 7, proof: tree.inclusionProof(7, 50), checkpoint },
    ]) {
      const text = formatTlogProof(p)
      const parsed = parseTlogProof(utf8(text))
      if (!parsed.ok) throw parsed.error
      expect(parsed.value).toEqual(p)
    }
    expect(formatTlogProof({ index: 0, proof: [], checkpoint })).toBe(`${TLOG_PROOF_HEADER}\nindex 0\n\n${checkpoint}`)
  })

  it('reject malformed proofs', () => {
    const good = proofFor(3).split('\n')
    const bad = [
      good.with(0, 'c2sp.org/tlog-proof@v2'),
      good.slice(1),
      good.with(1, 'index 03'),
      good.with(1, 'index -3'),
      good.with(1, 'index 3 '),
      good.with(1, 'Index 3'),
      good.toSpliced(1, 1),
      good.with(2, toBase64(new Uint8Array(31))),
      good.with(2, `${good[2]} `),
      good.toSpliced(1, 0, 'extra '),
      good.toSpliced(1, 0, 'extra !!!!'),
      good.toSpliced(2, 0, 'extra AAAA'),
      [TLOG_PROOF_HEADER, 'index 1', toBase64(new Uint8Array(32))],
      [...good.slice(0, 8), 'not a note\n'],
    ]
    for (const lines of bad) {
      const result = parseTlogProof(lines.join('\n'))
      expect(result.ok ? 'ok' : result.error.code, JSON.stringify(lines.slice(0, 3))).toBe('malformed')
    }
    expect(() => formatTlogProof({ index: -1, proof: [], checkpoint })).toThrowError(/index/)
    expect(() => formatTlogProof({ index: 0, proof: [new Uint8Array(3)], checkpoint })).toThrowError(/hashes/)
    expect(() => formatTlogProof({ index: 0, proof: [], checkpoint: 'x\n' })).toThrowError(/checkpoint/)
  })
})

describe('verifyTlogProof', () => {
  it('verifies every entry of a signed tree, with and without extra data', async () => {
    for (let i = 0; i < 50; i++) {
      const result = await verifyTlogProof(
        proofFor(i, i % 2 ? Uint8Array.of(i) : undefined),
        leafHash(leafData(i)),
        signer.verifierKey,
      )
      if (!result.ok) throw result.error
      expect(result.value.index).toBe(i)
      expect(result.value.checkpoint.size).toBe(50)
      expect(result.value.extra).toEqual(i % 2 ? Uint8Array.of(i) : undefined)
    }
  })

  it('rejects the wrong entry, index, proof, checkpoint or key', async () => {
    const text = proofFor(10)
    const lines = text.split('\n')
    const leaf = leafHash(leafData(10))
    expect(await verifyCode(text, leaf)).toBe('ok')
    expect(await verifyCode(text, leafHash(leafData(11)))).toBe('root-mismatch')
    expect(await verifyCode(lines.with(1, 'index 11').join('\n'), leaf)).toBe('root-mismatch')
    expect(await verifyCode(lines.with(1, 'index 50').join('\n'), leaf)).toBe('index-out-of-range')
    expect(await verifyCode(lines.with(3, toBase64(leaf)).join('\n'), leaf)).toBe('root-mismatch')
    expect(await verifyCode(lines.toSpliced(3, 1).join('\n'), leaf)).toBe('wrong-proof-length')
    expect(await verifyCode(lines.toSpliced(3, 0, toBase64(leaf)).join('\n'), leaf)).toBe('wrong-proof-length')
    const sizeLine = lines.indexOf('50')
    expect(await verifyCode(lines.with(sizeLine, '51').join('\n'), leaf)).toBe('bad-signature')
    expect(await verifyCode(text, leaf, stranger.verifierKey)).toBe('unverified')
    const resigned = await signCheckpoint(
      { origin: ORIGIN, size: 50, rootHash: tree.rootAt(), extensions: [] },
      stranger,
    )
    expect(
      await verifyCode(formatTlogProof({ index: 10, proof: tree.inclusionProof(10, 50), checkpoint: resigned }), leaf),
    ).toBe('unverified')
    const other = await verifyTlogProof(text, leaf, signer.verifierKey, { origin: 'other.example/log' })
    expect(!other.ok && other.error.code).toBe('origin-mismatch')
  })

  it('accepts a parsed proof object', async () => {
    const parsed = parseTlogProof(proofFor(4))
    if (!parsed.ok) throw parsed.error
    const verifier = parseVerifierKey(signer.verifierKey)
    if (!verifier.ok) throw verifier.error
    expect((await verifyTlogProof(parsed.value, leafHash(leafData(4)), verifier.value)).ok).toBe(true)
    expect((await verifyTlogProof(parsed.value, leafHash(leafData(5)), [verifier.value])).ok).toBe(false)
  })
})
