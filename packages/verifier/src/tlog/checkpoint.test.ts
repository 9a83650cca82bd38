import { describe, expect, it } from 'vitest'
import { fromBase64, toBase64 } from './bytes.js'
import { type Checkpoint, formatCheckpoint, openCheckpoint, parseCheckpoint, signCheckpoint } from './checkpoint.js'
import { MemoryTree } from './memory-tree.js'
import { parseNote } from './note.js'
import { ed25519Signer } from './note-key.js'

// The example of the C2SP tlog-checkpoint specification (its signature's key is not published).
const SPEC_EXAMPLE =
  'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n' +
  '\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n'

const ORIGIN = 'donottrain.example/log'
const logSigner = ed25519Signer(ORIGIN, new Uint8Array(32).fill(7))
const otherSigner = ed25519Signer(ORIGIN, new Uint8Array(32).fill(8))

function treeCheckpoint(size: number, extensions: string[] = []): Checkpoint {
  const tree = new MemoryTree()
  for (let i = 0; i < size; i++) tree.append(Uint8Array.of(i))
  return { origin: ORIGIN, size, rootHash: tree.rootAt(), extensions }
}

async function openCode(note: string, vkey: string, origin?: string): Promise<string> {
  const result = await openCheckpoint(note, vkey, origin === undefined ? {} : { origin })
  return result.ok ? 'ok' : result.error.code
}

describe('parseCheckpoint and formatCheckpoint', () => {
  it('read the spec example and write it back byte for byte', () => {
    const note = parseNote(SPEC_EXAMPLE)
    if (!note.ok) throw note.error
    const cp = parseCheckpoint(note.value.text)
    if (!cp.ok) throw cp.error
    expect(cp.value.origin).toBe('example.com/behind-the-sofa')
    expect(cp.value.size).toBe(20852163)
    expect(toBase64(cp.value.rootHash)).toBe('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=')
    expect(cp.value.extensions).toEqual([])
    expect(formatCheckpoint(cp.value)).toBe(note.value.text)
  })

  it('round-trip sizes from 0 and extension lines', () => {
    for (const cp of [treeCheckpoint(0), treeCheckpoint(1), treeCheckpoint(37, ['timestamp 1700000000', 'x'])]) {
      const parsed = parseCheckpoint(formatCheckpoint(cp))
      if (!parsed.ok) throw parsed.error
      expect(parsed.value).toEqual(cp)
    }
  })

  it('reject anything but the strict form', () => {
    const root = toBase64(new Uint8Array(32).fill(1))
    const bad = [
      `o\n01\n${root}\n`,
      `o\n-1\n${root}\n`,
      `o\n+1\n${root}\n`,
      `o\n 1\n${root}\n`,
      `o\n1.0\n${root}\n`,
      `o\n1e3\n${root}\n`,
      `o\n\n${root}\n`,
      `o\n9007199254740992\n${root}\n`,
      `o\n1\n${toBase64(new Uint8Array(31))}\n`,
      `o\n1\n${toBase64(new Uint8Array(33))}\n`,
      `o\n1\n${root.replace('=', '')}\n`,
      `o\n1\n${root.slice(0, -2)}F=\n`, // non-canonical: unused bits set
      `o\n1\n`,
      `\n1\n${root}\n`,
      `o\n1\n${root}\n\next\n`,
      `o\n1\n${root}`,
      `o\r\n1\n${root}\n`,
    ]
    for (const text of bad) {
      const result = parseCheckpoint(text)
      expect(result.ok ? 'ok' : result.error.code, JSON.stringify(text)).toBe('malformed')
    }
  })

  it('refuse to format values that would not parse back', () => {
    const good = treeCheckpoint(2)
    expect(() => formatCheckpoint({ ...good, origin: '' })).toThrowError(/origin/)
    expect(() => formatCheckpoint({ ...good, origin: 'a\nb' })).toThrowError(/origin/)
    expect(() => formatCheckpoint({ ...good, size: -1 })).toThrowError(/size/)
    expect(() => formatCheckpoint({ ...good, size: 1.5 })).toThrowError(/size/)
    expect(() => formatCheckpoint({ ...good, rootHash: new Uint8Array(31) })).toThrowError(/root/)
    expect(() => formatCheckpoint({ ...good, extensions: [''] })).toThrowError(/extension/)
  })
})

describe('signCheckpoint and openCheckpoint', () => {
  it('round-trip a signed checkpoint', async () => {
    const signer = await logSigner
    const cp = treeCheckpoint(37, ['ext'])
    const note = await signCheckpoint(cp, signer)
    const opened = await openCheckpoint(note, signer.verifierKey, { origin: ORIGIN })
    if (!opened.ok) throw opened.error
    expect(opened.value.checkpoint).toEqual(cp)
    expect(opened.value.text).toBe(formatCheckpoint(cp))
    expect(opened.value.verified.map((s) => s.keyId)).toEqual([signer.keyId])
  })

  it('rejects a checkpoint signed by another key, even under the same name', async () => {
    const note = await signCheckpoint(treeCheckpoint(5), await otherSigner)
    expect(await openCode(note, (await logSigner).verifierKey)).toBe('unverified')
  })

  it('rejects a checkpoint with any line edited', async () => {
    const signer = await logSigner
    const note = await signCheckpoint(treeCheckpoint(5, ['ext']), signer)
    const lines = note.split('\n')
    const edits = [
      ['origin', lines.with(0, 'donottrain.example/log2')],
      ['size', lines.with(1, '6')],
      ['root', lines.with(2, toBase64(treeCheckpoint(6).rootHash))],
      ['extension', lines.with(3, 'exu')],
      ['extension removed', lines.toSpliced(3, 1)],
      ['extension added', lines.toSpliced(4, 0, 'more')],
    ] as const
    for (const [what, edited] of edits) {
      expect(await openCode(edited.join('\n'), signer.verifierKey), what).toBe('bad-signature')
    }
  })

  it('rejects a checkpoint for another origin when the origin is given', async () => {
    const signer = await ed25519Signer('other.example/log', new Uint8Array(32).fill(7))
    const note = await signCheckpoint({ ...treeCheckpoint(3), origin: 'other.example/log' }, signer)
    expect(await openCode(note, signer.verifierKey, ORIGIN)).toBe('origin-mismatch')
    expect(await openCode(note, signer.verifierKey)).toBe('ok')
  })

  it('rejects a signed note that is not a checkpoint, and a bad verifier key', async () => {
    const signer = await logSigner
    const { signNote } = await import('./note.js')
    expect(await openCode(await signNote('just text\n', [signer]), signer.verifierKey)).toBe('malformed')
    expect(await openCode(await signCheckpoint(treeCheckpoint(1), signer), 'not a key')).toBe('malformed-key')
  })

  it('opens a checkpoint cosigned by a witness with the log key alone', async () => {
    const signer = await logSigner
    const witness = await ed25519Signer('witness.example', new Uint8Array(32).fill(5))
    const note = await signCheckpoint(treeCheckpoint(9), [signer, witness])
    const opened = await openCheckpoint(note, signer.verifierKey)
    if (!opened.ok) throw opened.error
    expect(opened.value.unverified.map((s) => s.name)).toEqual(['witness.example'])
    const root = fromBase64(note.split('\n')[2] as string)
    expect(opened.value.checkpoint.rootHash).toEqual(root)
  })
})
