/** The median of a list of numbers (NaN for an empty list). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** A rate or size with a fixed number of significant digits, thousands grouped: 12,345 or 3.21. */
export function fmt(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return 'n/a'
  if (Math.abs(value) >= 10 ** digits) return Math.round(value).toLocaleString('en-US')
  return Number(value.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 6 })
}

export const fmtMiB = (bytes: number): string => `${fmt(bytes / 1024 / 1024)} MiB`

export const fmtPct = (ratio: number): string => `${ratio >= 0 ? '+' : ''}${(ratio * 100).toFixed(1)}%`
