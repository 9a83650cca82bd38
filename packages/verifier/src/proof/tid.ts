const S32 = '234567abcdefghijklmnopqrstuvwxyz'
const TID_SYNTAX = /^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/

/**
 * The time a TID (a repository rev or record key) encodes, as an ISO 8601 string with
 * millisecond precision; undefined when the string is not TID syntax.
 * The first 11 characters hold the microseconds since the epoch, the last 2 the clock id.
 */
export function tidTime(tid: string): string | undefined {
  if (typeof tid !== 'string' || !TID_SYNTAX.test(tid)) return undefined
  let micros = 0
  for (let i = 0; i < 11; i++) {
    const digit = S32.indexOf(tid[i] as string)
    if (digit < 0) return undefined
    micros = micros * 32 + digit
  }
  return new Date(Math.floor(micros / 1000)).toISOString()
}
