import { cpus, loadavg, totalmem } from 'node:os'

/** One line describing where and when a benchmark ran: results are only comparable on the same line. */
export function machineLine(): string {
  const cpu = cpus()
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')
  const mem = Math.round(totalmem() / 1024 ** 3)
  return `${new Date().toISOString()} · node ${process.version} · ${cpu.length} × ${cpu[0]?.model.trim() ?? 'cpu'} · ${mem} GiB · load ${load}`
}
