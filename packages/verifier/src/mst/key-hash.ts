import { sha256 } from './cid.js'

// SHA-256 (FIPS 180-4) of an ASCII string, in JS. MST keys are short ASCII strings (one or two
// 64-byte blocks), and a node:crypto call per key costs several times the hashing itself; a walk
// down a proof's path hashes every key of every node it passes.

const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
])
const IV = Int32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
])
const H = new Int32Array(8)
const W = new Int32Array(64)

/** The byte at index i of the padded message of an ASCII string of byteLength bytes. */
function paddedByte(text: string, byteLength: number, totalLength: number, i: number): number {
  if (i < byteLength) return text.charCodeAt(i)
  if (i === byteLength) return 0x80
  if (i < totalLength - 4) return 0 // the length's high bytes too: keys are far below 2^29 bytes
  return ((byteLength * 8) >>> ((totalLength - 1 - i) * 8)) & 0xff
}

function compress(): void {
  for (let t = 16; t < 64; t++) {
    const w15 = W[t - 15] as number
    const w2 = W[t - 2] as number
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3)
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10)
    W[t] = ((W[t - 16] as number) + s0 + (W[t - 7] as number) + s1) | 0
  }
  let a = H[0] as number
  let b = H[1] as number
  let c = H[2] as number
  let d = H[3] as number
  let e = H[4] as number
  let f = H[5] as number
  let g = H[6] as number
  let h = H[7] as number
  for (let t = 0; t < 64; t++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + (K[t] as number) + (W[t] as number)) | 0
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0
    h = g
    g = f
    f = e
    e = (d + t1) | 0
    d = c
    c = b
    b = a
    a = (t1 + t2) | 0
  }
  H[0] = ((H[0] as number) + a) | 0
  H[1] = ((H[1] as number) + b) | 0
  H[2] = ((H[2] as number) + c) | 0
  H[3] = ((H[3] as number) + d) | 0
  H[4] = ((H[4] as number) + e) | 0
  H[5] = ((H[5] as number) + f) | 0
  H[6] = ((H[6] as number) + g) | 0
  H[7] = ((H[7] as number) + h) | 0
}

/** Whether every character of text is ASCII (so its UTF-8 bytes are its char codes). */
function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false
  return true
}

/** The number of leading zero bits of SHA-256(key); strings are hashed as UTF-8. */
export function leadingZeroBits(key: string | Uint8Array): number {
  if (typeof key !== 'string' || key.length > 4096 || !isAscii(key)) return leadingZeroBitsOf(sha256(key))
  const byteLength = key.length
  const totalLength = (Math.floor((byteLength + 8) / 64) + 1) * 64
  H.set(IV)
  for (let block = 0; block < totalLength; block += 64) {
    for (let w = 0; w < 16; w++) {
      const i = block + w * 4
      W[w] =
        i + 3 < byteLength
          ? (key.charCodeAt(i) << 24) |
            (key.charCodeAt(i + 1) << 16) |
            (key.charCodeAt(i + 2) << 8) |
            key.charCodeAt(i + 3)
          : (paddedByte(key, byteLength, totalLength, i) << 24) |
            (paddedByte(key, byteLength, totalLength, i + 1) << 16) |
            (paddedByte(key, byteLength, totalLength, i + 2) << 8) |
            paddedByte(key, byteLength, totalLength, i + 3)
    }
    compress()
  }
  let zeros = 0
  for (let w = 0; w < 8; w++) {
    const word = H[w] as number
    if (word !== 0) return zeros + Math.clz32(word)
    zeros += 32
  }
  return zeros
}

function leadingZeroBitsOf(digest: Uint8Array): number {
  let zeros = 0
  for (let i = 0; i < digest.length; i++) {
    const byte = digest[i] as number
    if (byte !== 0) return zeros + Math.clz32(byte) - 24
    zeros += 8
  }
  return zeros
}
