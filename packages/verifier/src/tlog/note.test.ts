import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { fromBase64, utf8 } from './bytes.js'
import { Ed25519PrivateKey, Ed25519PublicKey } from './ed25519.js'
import { formatNote, openNote, parseNote, signNote } from './note.js'
import { ed25519Signer, type NoteVerifier, parseSignerKey, parseVerifierKey } from './note-key.js'

// golang.org/x/mod sumdb/note and C2SP signed-note vectors: see testdata/signed-note.json.
const { go, c2sp } = JSON.parse(readFileSync(new URL('./testdata/signed-note.json', import.meta.url), 'utf8')) as {
  go: {
    signerKey: string
    verifierKey: string
    enochVerifierKey: string
    text: string
    peterSig: string
    enochSig: string
  }
  c2sp: { verifierKey: string; note: string }
}

function verifier(vkey: string): NoteVerifier {
  const parsed = parseVerifierKey(vkey)
  if (!parsed.ok) throw parsed.error
  return parsed.value
}
const peter = verifier(go.verifierKey)
const enoch = verifier(go.enochVerifierKey)
const sigB64 = (line: string) => line.trim().split(' ')[2] as string

async function errorCode(
  input: string | Uint8Array,
  verifiers: NoteVerifier | NoteVerifier[] = peter,
): Promise<string> {
  const result = await openNote(input, verifiers)
  return result.ok ? 'ok' : result.error.code
}

describe('signNote', () => {
  it('reproduces the Go note package signature byte for byte (Go TestSign)', async () => {
    const signer = await parseSignerKey(go.signerKey)
    if (!signer.ok) throw signer.error
    expect(await signNote(go.text, [signer.value])).toBe(`${go.text}\n${go.peterSig}`)
  })

  it('replaces an existing signature by the same key and keeps the others first', async () => {
    const signer = await parseSignerKey(go.signerKey)
    if (!signer.ok) throw signer.error
    const stale = { name: 'PeterNeumann', keyId: 0xc74f20a3, signature: new Uint8Array(64) }
    expect(await signNote(go.text, [signer.value], [stale])).toBe(`${go.text}\n${go.peterSig}`)
    const enochSig = {
      name: 'EnochRoot',
      keyId: 0xaf0cfe78,
      signature: (fromBase64(sigB64(go.enochSig)) as Uint8Array).subarray(4),
    }
    expect(await signNote(go.text, [signer.value], [enochSig])).toBe(`${go.text}\n${go.enochSig}${go.peterSig}`)
  })

  it('throws on text a note cannot carry', async () => {
    const signer = await ed25519Signer('test.example/key', new Uint8Array(32).fill(1))
    for (const text of ['abc', 'a\rb\n', 'a\u0000\n', '\ud800\n']) {
      await expect(signNote(text, [signer]), JSON.stringify(text)).rejects.toThrowError(/note text/)
    }
    await expect(signNote('abc\n', [])).rejects.toThrowError(/at least one signer/)
    await expect(signNote('abc\n', [{ ...signer, name: 'bad name' }])).rejects.toThrowError(/invalid key name/)
    await expect(signNote('abc\n', [signer, signer])).rejects.toThrowError(/two signatures by one key/)
  })
})

describe('openNote', () => {
  it('opens the C2SP spec example', async () => {
    const result = await openNote(c2sp.note, verifier(c2sp.verifierKey))
    if (!result.ok) throw result.error
    expect(result.value.text).toBe('This is an example message.\n')
    expect(result.value.verified.map((s) => s.name)).toEqual(['example.com/foo'])
  })

  it('verifies known keys and sets aside unknown ones (Go TestOpen)', async () => {
    const msg = `${go.text}\n${go.peterSig}${go.enochSig}`
    const one = await openNote(msg, [peter])
    if (!one.ok) throw one.error
    expect(one.value.text).toBe(go.text)
    expect(one.value.verified.map((s) => [s.name, s.keyId])).toEqual([['PeterNeumann', 0xc74f20a3]])
    expect(one.value.unverified.map((s) => [s.name, s.keyId])).toEqual([['EnochRoot', 0xaf0cfe78]])
    const both = await openNote(utf8(msg), [peter, enoch])
    if (!both.ok) throw both.error
    expect(both.value.verified.map((s) => s.name)).toEqual(['PeterNeumann', 'EnochRoot'])
    expect(both.value.unverified).toEqual([])
    expect(await errorCode(msg, [])).toBe('unverified')
  })

  it('ignores a signature that shares only the name, or only the key id, of a known key', async () => {
    const otherId = go.peterSig.replace('x08g', 'AAAA')
    expect(await errorCode(`${go.text}\n${otherId}`)).toBe('unverified')
    expect(await errorCode(`${go.text}\n${go.peterSig.replace('PeterNeumann', 'CarmenSandiego')}`)).toBe('unverified')
    expect(await errorCode(`${go.text}\n${otherId}${go.peterSig}`)).toBe('ok')
  })

  it('rejects a note whose known-key signature is bad', async () => {
    // Go inserts 'ABCD' at byte 60 of the line; the em dash is 3 bytes but 1 JS char, so 58 here.
    expect(await errorCode(`${go.text}\n${go.peterSig.slice(0, 58)}ABCD${go.peterSig.slice(58)}`)).toBe('bad-signature')
    expect(await errorCode(`${go.text.replace('cryptography', 'cryptographY')}\n${go.peterSig}`)).toBe('bad-signature')
    const forged = `${go.text}\n${go.peterSig.replace(sigB64(go.peterSig), sigB64(go.enochSig))}`
    expect(await errorCode(forged)).toBe('unverified') // Enoch's key id under Peter's name: an unknown key
    expect(await errorCode(`${go.text}\n${go.enochSig}`, [enoch, peter])).toBe('ok')
    expect(await errorCode(`${go.text}\n${go.peterSig}${go.enochSig}`, [peter, enoch])).toBe('ok')
    const badEnoch = go.enochSig.replace('+QQ=', '+QA=') // the last signature byte
    expect(await errorCode(`${go.text}\n${go.peterSig}${badEnoch}`, [peter, enoch])).toBe('bad-signature')
    expect(await errorCode(`${go.text}\n${go.peterSig}${badEnoch}`, [peter])).toBe('ok')
  })

  it('rejects two verifiers with one name and key id, when used (Go TestOpen)', async () => {
    expect(await errorCode(`${go.text}\n${go.enochSig}`, [enoch, peter, enoch])).toBe('ambiguous-key')
    expect(await errorCode(`${go.text}\n${go.peterSig}`, [enoch, peter, enoch])).toBe('ok')
  })

  it('rejects repeated signatures by one key (stricter than Go, which drops them)', async () => {
    expect(await errorCode(`${go.text}\n${go.peterSig}${go.peterSig}`)).toBe('duplicate-signature')
    expect(await errorCode(`${go.text}\n${go.peterSig}${go.enochSig}${go.enochSig}`)).toBe('duplicate-signature')
  })

  it('limits the number of signatures', async () => {
    expect(await errorCode(`${go.text}\n${go.peterSig.repeat(101)}`)).toBe('too-many-signatures')
    expect(await errorCode(`${go.text}\n${go.peterSig.repeat(101)}`, [])).toBe('too-many-signatures')
    const signers = await Promise.all(
      Array.from({ length: 17 }, (_, i) => ed25519Signer(`w${i}.example`, new Uint8Array(32).fill(i))),
    )
    const note = await signNote('checkpoint\n', signers)
    const verifiers = signers.map((s) => verifier(s.verifierKey))
    expect((await openNote(note, verifiers, { maxSignatures: 17 })).ok).toBe(true)
    const limited = await openNote(note, verifiers, { maxSignatures: 16 })
    expect(!limited.ok && limited.error.code).toBe('too-many-signatures')
  })

  it('rejects malformed notes (Go TestOpen bad messages, and more)', async () => {
    const bad: (string | Uint8Array)[] = [
      go.text,
      `${go.text}\n`,
      `${go.text}\n${go.peterSig.slice(0, -1)}`,
      `\u0001${go.text}\n${go.peterSig}`,
      new Uint8Array([0xff, ...utf8(`${go.text}\n${go.peterSig}`)]),
      `${go.text}\n\u2014 Bad Name ${sigB64(go.peterSig)}`,
      `${go.text}\n${go.peterSig}Unexpected line.\n`,
      `${go.text}\n${go.peterSig.replace('\u2014', '-')}`,
      `${go.text}\n${go.peterSig.replace('\u2014 ', '\u2014')}`,
      `${go.text}\n${go.peterSig.replace('=\n', '\n')}`,
      `${go.text}\n${go.peterSig.replace('\n', ' \n')}`,
      `${go.text}\n\u2014 PeterNeumann\n`,
      `${go.text}\n\u2014 PeterNeumann AAAA\n`,
      `${go.text}\n${go.peterSig.replace('\n', '\r\n')}`,
      `${go.text.replace('\n', '\t\n')}\n${go.peterSig}`,
      `\ud800${go.text}\n${go.peterSig}`,
      `${go.text}\n${go.peterSig.replace('nAM=', 'nAN=')}`, // non-canonical base64 (unused bits set)
    ]
    for (const msg of bad) {
      expect(await errorCode(msg), JSON.stringify(typeof msg === 'string' ? msg : 'bytes')).toBe('malformed')
    }
  })

  it('keeps a leading byte order mark as part of the signed text', async () => {
    const signer = await ed25519Signer('test.example/key', new Uint8Array(32).fill(9))
    const note = await signNote('\ufeffhello\n', [signer])
    const opened = await openNote(utf8(note), verifier(signer.verifierKey))
    if (!opened.ok) throw opened.error
    expect(opened.value.text).toBe('\ufeffhello\n')
    expect(await errorCode(note.slice(1), verifier(signer.verifierKey))).toBe('bad-signature')
  })

  it('treats the last blank line as the separator, so the text may hold blank lines', async () => {
    const signer = await ed25519Signer('test.example/key', new Uint8Array(32).fill(3))
    for (const text of ['a\n\nb\n', 'a\n\n', '\n']) {
      const opened = await openNote(await signNote(text, [signer]), verifier(signer.verifierKey))
      if (!opened.ok) throw opened.error
      expect(opened.value.text).toBe(text)
    }
  })
})

describe('parseNote and formatNote', () => {
  it('round-trip the Go two-signature note', () => {
    const msg = `${go.text}\n${go.peterSig}${go.enochSig}`
    const parsed = parseNote(msg)
    if (!parsed.ok) throw parsed.error
    expect(parsed.value.signatures.map((s) => s.signature.length)).toEqual([64, 64])
    expect(formatNote(parsed.value)).toBe(msg)
  })
})

describe('Ed25519 backends', () => {
  it('agree with each other and with the Go vector', async () => {
    const signer = await parseSignerKey(go.signerKey)
    if (!signer.ok) throw signer.error
    const seed = (fromBase64(go.signerKey.split('+').slice(4).join('+')) as Uint8Array).subarray(1)
    const message = utf8(go.text)
    const expected = (fromBase64(sigB64(go.peterSig)) as Uint8Array).subarray(4)
    const key = new Ed25519PrivateKey(seed)
    expect(await key.sign(message, 'auto')).toEqual(expected)
    expect(await key.sign(message, 'noble')).toEqual(expected)
    const pub = new Ed25519PublicKey(signer.value.publicKey)
    const bad = expected.slice()
    bad[10] = (bad[10] as number) ^ 1
    for (const backend of ['auto', 'noble'] as const) {
      expect(await pub.verify(message, expected, backend), backend).toBe(true)
      expect(await pub.verify(message, bad, backend), backend).toBe(false)
      expect(await pub.verify(utf8('other\n'), expected, backend), backend).toBe(false)
      expect(await pub.verify(message, expected.subarray(0, 63), backend), backend).toBe(false)
    }
  })
})
