/**
 * Walks the heads of a sequence of DAG-CBOR items without building values, and reports the
 * first violation of the structural limits: nesting deeper than maxDepth, or a declared length
 * longer than the input (a cheap guard before the real decoder allocates anything).
 * Returns null when the input is within the limits.
 */
export function checkCborLimits(buf: Uint8Array, maxDepth: number): string | null {
  // remaining[i] = items still expected at nesting level i
  const remaining: number[] = []
  let pos = 0
  const len = buf.length
  while (pos < len) {
    const prelude = buf[pos++] as number
    const major = prelude >> 5
    const info = prelude & 0x1f
    let arg = info
    if (info >= 24) {
      const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0
      if (size === 0) return `unsupported cbor argument encoding info=${info} at=${pos - 1}`
      if (pos + size > len) return `truncated cbor at=${pos}`
      arg = 0
      for (let i = 0; i < size; i++) arg = arg * 256 + (buf[pos++] as number)
    }
    switch (major) {
      case 2:
      case 3:
        if (arg > len - pos) return `cbor string longer than input length=${arg} at=${pos}`
        pos += arg
        break
      case 4:
      case 5: {
        const items = major === 5 ? arg * 2 : arg
        if (items > len - pos) return `cbor container longer than input items=${items} at=${pos}`
        // Every container counts toward the depth, an empty one too.
        if (remaining.length + 1 > maxDepth) return `cbor nesting deeper than ${maxDepth}`
        if (items > 0) {
          // The container counts as an item of its parent once its own items are done.
          remaining.push(items)
          continue
        }
        break
      }
      case 6:
        // A tag (DAG-CBOR allows only 42, the CID link) wraps the next item at the same depth.
        continue
      default:
        break
    }
    consume(remaining)
  }
  return null
}

// One item is complete: count it off its container, closing every container it completes.
function consume(remaining: number[]): void {
  while (remaining.length > 0) {
    const top = remaining.length - 1
    const left = (remaining[top] as number) - 1
    if (left > 0) {
      remaining[top] = left
      return
    }
    remaining.pop()
  }
}
