import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { fromBase64, utf8 } from './bytes.js'
import {
  ed25519Signer,
  formatSignerKey,
  formatVerifierKey,
  generateNoteKey,
  isValidKeyName,
  noteKeyId,
  parseSignerKey,
  parseVerifierKey,
} from './note-key.js'

// golang.org/x/mod sumdb/note vectors: see testdata/signed-note.json.
const { go, c2sp } = JSON.parse(readFileSync(new URL('./testdata/signed-note.json', import.meta.url), 'utf8')) as {
  go: { signerKey: string; verifierKey: string; enochVerifierKey: string; badVerifierKeys: string[] }
  c2sp: { verifierKey: string }
}

const seedOf = (skey: string) => (fromBase64(skey.split('+').slice(4).join('+')) as Uint8Array).subarray(1)

describe('parseVerifierKey', () => {
  it('parses the Go and C2SP example keys', () => {
    for (const [vkey, name, keyId] of [
      [go.verifierKey, 'PeterNeumann', 0xc74f20a3],
      [go.enochVerifierKey, 'EnochRoot', 0xaf0cfe78],
      [c2sp.verifierKey, 'example.com/foo', 0x530d903a],
    ] as const) {
      const parsed = parseVerifierKey(vkey)
      if (!parsed.ok) throw parsed.error
      expect(parsed.value.name).toBe(name)
      expect(parsed.value.keyId).toBe(keyId)
      expect(parsed.value.verifierKey).toBe(vkey)
      expect(parsed.value.publicKey).toHaveLength(32)
    }
  })

  it('rejects every substring and every single-character change of a key (Go TestNewVerifier)', () => {
    const accepted: string[] = []
    const vkey = go.verifierKey
    for (let i = 0; i <= vkey.length; i++) {
      for (let j = i + 1; j <= vkey.length; j++) {
        if ((i !== 0 || j !== vkey.length) && parseVerifierKey(vkey.slice(i, j)).ok) accepted.push(vkey.slice(i, j))
      }
    }
    for (let i = 0; i < vkey.length; i++) {
      const changed = vkey.slice(0, i) + String.fromCharCode(vkey.charCodeAt(i) + 1) + vkey.slice(i + 1)
      if (parseVerifierKey(changed).ok) accepted.push(changed)
    }
    expect(accepted).toEqual([])
  })

  it('names why a key is refused', () => {
    const codes = go.badVerifierKeys.map((k) => {
      const r = parseVerifierKey(k)
      return r.ok ? 'ok' : r.error.code
    })
    expect(codes).toEqual(['malformed-key', 'unknown-algorithm'])
    const mismatch = parseVerifierKey(go.verifierKey.replace('c74f20a3', 'c74f20a4'))
    expect(!mismatch.ok && mismatch.error.code).toBe('key-id-mismatch')
    const renamed = parseVerifierKey(go.verifierKey.replace('PeterNeumann', 'PeterNeuman'))
    expect(!renamed.ok && renamed.error.code).toBe('key-id-mismatch')
  })

  it('accepts an upper-case key id, as Go does', () => {
    expect(parseVerifierKey(go.verifierKey.replace('c74f20a3', 'C74F20A3')).ok).toBe(true)
  })
})

describe('noteKeyId and formatVerifierKey', () => {
  it('reproduce the published key ids and verifier keys', () => {
    for (const vkey of [go.verifierKey, go.enochVerifierKey, c2sp.verifierKey]) {
      const [name, id, key64] = [
        vkey.split('+')[0] as string,
        vkey.split('+')[1] as string,
        vkey.split('+').slice(2).join('+'),
      ]
      const typeAndKey = fromBase64(key64) as Uint8Array
      expect(noteKeyId(name, typeAndKey).toString(16).padStart(8, '0')).toBe(id)
      expect(formatVerifierKey(name, typeAndKey.subarray(1))).toBe(vkey)
    }
  })

  it('throws on a bad name or key length', () => {
    expect(() => formatVerifierKey('a+b', new Uint8Array(32))).toThrowError(/invalid key name/)
    expect(() => formatVerifierKey('ab', new Uint8Array(31))).toThrowError(/32 bytes/)
  })
})

describe('signer keys', () => {
  it('parse the Go signer key to the Go verifier key, and format it back', async () => {
    const signer = await parseSignerKey(go.signerKey)
    if (!signer.ok) throw signer.error
    expect(signer.value.verifierKey).toBe(go.verifierKey)
    expect(signer.value.keyId).toBe(0xc74f20a3)
    expect(await formatSignerKey('PeterNeumann', seedOf(go.signerKey))).toBe(go.signerKey)
  })

  it('reject every substring and every single-character change of a key (Go TestNewSigner)', async () => {
    const accepted: string[] = []
    const skey = go.signerKey
    const candidates: string[] = []
    for (let i = 0; i <= skey.length; i++) {
      for (let j = i + 1; j <= skey.length; j++) if (i !== 0 || j !== skey.length) candidates.push(skey.slice(i, j))
    }
    for (let i = 0; i < skey.length; i++) {
      candidates.push(skey.slice(0, i) + String.fromCharCode(skey.charCodeAt(i) + 1) + skey.slice(i + 1))
    }
    for (const k of candidates) if ((await parseSignerKey(k)).ok) accepted.push(k)
    expect(accepted).toEqual([])
  })

  it('generate fresh key pairs that sign and verify', async () => {
    const { signerKey, verifierKey } = await generateNoteKey('donottrain.example/log')
    const signer = await parseSignerKey(signerKey)
    const verifier = parseVerifierKey(verifierKey)
    if (!signer.ok || !verifier.ok) throw new Error('generated keys do not parse')
    expect(signer.value.verifierKey).toBe(verifierKey)
    const message = utf8('hi\n')
    const sig = await signer.value.sign(message)
    expect(await verifier.value.verify(message, sig)).toBe(true)
    expect(await verifier.value.verify(utf8('ho\n'), sig)).toBe(false)
    const other = await generateNoteKey('donottrain.example/log')
    expect(other.verifierKey).not.toBe(verifierKey)
  })

  it('refuse invalid names', async () => {
    await expect(ed25519Signer('bad name', new Uint8Array(32))).rejects.toThrowError(/invalid key name/)
  })
})

describe('isValidKeyName', () => {
  it('allows URL-like names and refuses spaces, plus signs and control characters', () => {
    expect(['example.com/foo', 'PeterNeumann', 'ünïcode.example/ok'].map(isValidKeyName)).toEqual([true, true, true])
    expect(
      ['', 'a b', 'a+b', 'a\tb', 'a\u00a0b', 'a\u2003b', 'a\u0085b', 'a\u0001b', '\ud800'].map(isValidKeyName),
    ).toEqual(Array(9).fill(false))
  })
})
