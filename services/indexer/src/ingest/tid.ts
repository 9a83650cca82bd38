const S32 = '234567abcdefghijklmnopqrstuvwxyz'

/** The timestamp of a TID (atproto record key / rev), in milliseconds since the epoch. */
export function tidTimestampMs(tid: string): number {
  let micros = 0
  // The first 11 base32-sortable characters carry the 53-bit microsecond timestamp (plus a
  // leading zero bit); the last 2 the clock id.
  for (let i = 0; i < 11; i++) {
    const v = S32.indexOf(tid[i] ?? '')
    if (v < 0) return Number.NaN
    micros = micros * 32 + v
  }
  return Math.floor(micros / 1000)
}
