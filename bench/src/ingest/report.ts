import { fmt, fmtMiB, fmtPct, median } from '../lib/stats.js'
import { table } from '../lib/table.js'
import type { WorkerRun } from './child.js'

/** The consumers timed in every run, each in a fresh process on a fresh frame server. */
export const CONSUMERS = {
  reference: '@atproto/sync Firehose (verifies every commit)',
  indexer: 'indexer as deployed (validates relevant + tracked)',
  'indexer-all': 'indexer, every account tracked (validates every commit)',
} as const
export type Consumer = keyof typeof CONSUMERS

export interface RunResult {
  run: number
  consumer: Consumer
  worker: WorkerRun
  rate: number
  cpuRate: number
  /** Websocket connections the frame server accepted: 1 unless the consumer reconnected. */
  connections: number
}

export function rejectionsText(r: Record<string, number>): string {
  const entries = Object.entries(r)
  return entries.length === 0 ? '0' : entries.map(([k, v]) => `${k}=${v}`).join(' ')
}

export function runsTable(results: readonly RunResult[]): string {
  return table(
    ['run', 'consumer', 'frames', 'seconds', 'frames/s', 'frames/CPU-s', 'validated', 'peak RSS', 'conns', 'rejected'],
    results.map((r) => [
      String(r.run),
      r.consumer,
      String(r.worker.done.frames + 1),
      fmt(r.worker.done.ms / 1000),
      fmt(r.rate),
      fmt(r.cpuRate),
      String(r.worker.done.validated),
      fmtMiB(r.worker.peakRss),
      String(r.connections),
      rejectionsText(r.worker.done.rejections),
    ]),
  )
}

/** Each run's rate of `consumer` divided by the reference's rate in the same run. */
export function sameRunRatios(results: readonly RunResult[], consumer: Consumer, key: 'rate' | 'cpuRate'): number[] {
  return results
    .filter((r) => r.consumer === consumer)
    .map((r) => r[key] / (results.find((x) => x.run === r.run && x.consumer === 'reference')?.[key] ?? Number.NaN))
}

export function summaryTable(results: readonly RunResult[], consumers: readonly Consumer[]): string {
  const of = (c: Consumer) => results.filter((r) => r.consumer === c)
  const ratio = (c: Consumer, key: 'rate' | 'cpuRate') =>
    c === 'reference' ? '1×' : `${fmt(median(sameRunRatios(results, c, key)))}×`
  return table(
    ['consumer', 'median frames/s', 'median frames/CPU-s', 'same-run ratio (wall)', 'same-run ratio (CPU)', 'peak RSS'],
    consumers.map((c) => [
      `${c}: ${CONSUMERS[c]}`,
      fmt(median(of(c).map((r) => r.rate))),
      fmt(median(of(c).map((r) => r.cpuRate))),
      ratio(c, 'rate'),
      ratio(c, 'cpuRate'),
      fmtMiB(median(of(c).map((r) => r.worker.peakRss))),
    ]),
  )
}

/**
 * The long run's report: rate, and RSS growth from the first sample at or after `warm` frames
 * to the end and to the peak, with a table of about ten samples.
 */
export function longSummary(w: WorkerRun, connections: number, warm: number, fixtureFrames: number) {
  const after = w.samples.filter((s) => s.seq >= warm)
  const base = after[0]
  const last = after.at(-1)
  const peak = Math.max(0, ...after.map((s) => s.rss))
  const growth = base && last ? last.rss / base.rss - 1 : Number.NaN
  const peakGrowth = base ? peak / base.rss - 1 : Number.NaN
  const rate = (w.done.frames / w.done.ms) * 1000
  const step = Math.max(1, Math.floor(w.samples.length / 10))
  const picked = w.samples.filter((_, i) => i % step === 0 || i === w.samples.length - 1)
  const rssTable = table(
    ['frames handled', 'elapsed s', 'RSS'],
    picked.map((s) => [s.seq < 0 ? '0' : s.seq.toLocaleString('en-US'), fmt(s.t / 1000), fmtMiB(s.rss)]),
  )
  const text = [
    `Long run: ${(w.done.frames + 1).toLocaleString('en-US')} frames (the ${fixtureFrames}-frame fixture looped;` +
      ` passes 2+ replay the same revs, which the indexer rejects as stale) in ${fmt(w.done.ms / 1000)} s,` +
      ` ${fmt(rate)} frames/s, ${connections} connection(s).`,
    `RSS after warm-up (≥ ${warm.toLocaleString('en-US')} frames): ${base ? fmtMiB(base.rss) : 'n/a'} → end` +
      ` ${last ? fmtMiB(last.rss) : 'n/a'} (${fmtPct(growth)}), peak ${fmtMiB(peak)} (${fmtPct(peakGrowth)}).` +
      ` Rejections: ${rejectionsText(w.done.rejections)}.`,
    '',
    rssTable,
  ].join('\n')
  const json = {
    firstSeq: w.done.firstSeq,
    lastSeq: w.done.lastSeq,
    gaps: w.done.gaps,
    connections,
    rejections: w.done.rejections,
    frames: w.done.frames + 1,
    ms: w.done.ms,
    rate,
    warm,
    growth,
    peakGrowth,
    samples: w.samples,
  }
  return { text, json, growth, peakGrowth }
}
