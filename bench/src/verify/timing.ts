/**
 * Time over a list of cases, in total and per key type: wall ms, and CPU ms (user + system of
 * this process), which a busy machine inflates far less than wall time.
 */
export type Timed = {
  total: number
  cpu: number
  byKey: Record<string, { n: number; ms: number; cpu: number }>
}

const cpuNow = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/** Runs `fn` over every case in order and times it. Throws on a wrong verdict. */
export async function timeAll<T>(
  cases: readonly T[],
  keyOf: (c: T) => string,
  fn: (c: T) => Promise<boolean>,
  name: string,
): Promise<Timed> {
  const byKey: Timed['byKey'] = {}
  const t0 = performance.now()
  const c0 = cpuNow()
  for (const c of cases) {
    const t = performance.now()
    const u = cpuNow()
    if (!(await fn(c))) throw new Error(`${name} rejected a valid case`)
    const ms = performance.now() - t
    const cpu = cpuNow() - u
    const key = keyOf(c)
    const slot = byKey[key] ?? { n: 0, ms: 0, cpu: 0 }
    byKey[key] = { n: slot.n + 1, ms: slot.ms + ms, cpu: slot.cpu + cpu }
  }
  return { total: performance.now() - t0, cpu: cpuNow() - c0, byKey }
}

/**
 * Runs `fn` over `cases` repeatedly (untimed) until `minMs` of wall time has passed, so both sides
 * get the same JIT warm-up time whatever their speed.
 */
export async function warmUp<T>(cases: readonly T[], fn: (c: T) => Promise<boolean>, minMs = 1500): Promise<void> {
  const t0 = performance.now()
  do {
    for (const c of cases) await fn(c)
  } while (performance.now() - t0 < minMs)
}
