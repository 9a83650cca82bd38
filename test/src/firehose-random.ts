/** A seeded pseudo-random source (mulberry32): the same seed gives the same sequence. */
export interface Rng {
  /** A float in [0, 1). */
  next(): number
  /** An integer in [min, max]. */
  int(min: number, max: number): number
  /** True with probability p. */
  chance(p: number): boolean
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T
  /** A key of `weights`, chosen with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => {
      const item = items[Math.floor(next() * items.length)]
      if (item === undefined) throw new Error('pick from an empty array')
      return item
    },
    weighted: (weights) => {
      const entries = Object.entries(weights) as Array<[keyof typeof weights, number]>
      const total = entries.reduce((sum, [, w]) => sum + w, 0)
      let roll = next() * total
      for (const [key, w] of entries) {
        roll -= w
        if (roll < 0) return key
      }
      const last = entries.at(-1)
      if (!last) throw new Error('weighted pick from no weights')
      return last[0]
    },
  }
}

/** A set of strings with O(1) add, delete and uniform random pick. */
export class PickBag {
  private readonly items: string[] = []
  private readonly index = new Map<string, number>()

  get size(): number {
    return this.items.length
  }

  add(item: string): void {
    if (this.index.has(item)) return
    this.index.set(item, this.items.length)
    this.items.push(item)
  }

  delete(item: string): void {
    const i = this.index.get(item)
    if (i === undefined) return
    const last = this.items.pop() as string
    this.index.delete(item)
    if (last !== item) {
      this.items[i] = last
      this.index.set(last, i)
    }
  }

  pick(rng: Rng): string | undefined {
    if (this.items.length === 0) return undefined
    return this.items[Math.floor(rng.next() * this.items.length)]
  }
}
