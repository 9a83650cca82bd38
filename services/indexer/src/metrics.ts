/** Counters and gauges served at /metrics in the Prometheus text format. */
export class Metrics {
  private counters = new Map<string, Map<string, number>>()
  private gauges = new Map<string, () => number>()
  private help = new Map<string, string>()

  counter(name: string, help: string): void {
    this.help.set(name, help)
    if (!this.counters.has(name)) this.counters.set(name, new Map())
  }

  gauge(name: string, help: string, read: () => number): void {
    this.help.set(name, help)
    this.gauges.set(name, read)
  }

  inc(name: string, labels: Record<string, string> = {}, by = 1): void {
    let series = this.counters.get(name)
    if (!series) {
      series = new Map()
      this.counters.set(name, series)
    }
    const key = labelKey(labels)
    series.set(key, (series.get(key) ?? 0) + by)
  }

  get(name: string, labels: Record<string, string> = {}): number {
    return this.counters.get(name)?.get(labelKey(labels)) ?? 0
  }

  /** Sum of a counter over all label values. */
  total(name: string): number {
    let sum = 0
    for (const v of this.counters.get(name)?.values() ?? []) sum += v
    return sum
  }

  render(): string {
    const lines: string[] = []
    for (const [name, series] of this.counters) {
      lines.push(`# HELP ${name} ${this.help.get(name) ?? name}`, `# TYPE ${name} counter`)
      for (const [labels, value] of series) lines.push(`${name}${labels} ${value}`)
    }
    for (const [name, read] of this.gauges) {
      lines.push(`# HELP ${name} ${this.help.get(name) ?? name}`, `# TYPE ${name} gauge`, `${name} ${read()}`)
    }
    return `${lines.join('\n')}\n`
  }
}

function labelKey(labels: Record<string, string>): string {
  const entries = Object.entries(labels)
  if (entries.length === 0) return ''
  return `{${entries
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`)
    .join(',')}}`
}
