/** Reads an unsigned LEB128 varint in shortest form; undefined when truncated, padded or > 2^53. */
export function readVarint(bytes: Uint8Array, at: number): { value: number; next: number } | undefined {
  let value = 0
  let scale = 1
  for (let i = 0; i < 8; i++) {
    const byte = bytes[at + i]
    if (byte === undefined) return undefined
    value += (byte & 0x7f) * scale
    if ((byte & 0x80) === 0) {
      if (byte === 0 && i > 0) return undefined // a zero final byte: not the shortest form
      return value <= Number.MAX_SAFE_INTEGER ? { value, next: at + i + 1 } : undefined
    }
    scale *= 128
  }
  return undefined
}

/** The unsigned LEB128 encoding of n (0 <= n <= 2^53). */
export function encodeVarint(n: number): Uint8Array {
  const out: number[] = []
  let rest = n
  while (rest >= 0x80) {
    out.push((rest % 128) | 0x80)
    rest = Math.floor(rest / 128)
  }
  out.push(rest)
  return Uint8Array.from(out)
}
