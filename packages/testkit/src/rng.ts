/** A small seeded pseudo-random generator (mulberry32): same seed, same sequence, on every machine. */
export interface Rng {
  /** A float in [0, 1). */
  next(): number
  /** An integer in [min, max] (both included). */
  int(min: number, max: number): number
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T
  /** A lowercase word of `length` letters. */
  word(length?: number): string
}

/** Creates a {@link Rng} from a 32-bit seed. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1))
  return {
    next,
    int,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError('pick from an empty array')
      return items[int(0, items.length - 1)] as T
    },
    word(length = 5) {
      let out = ''
      for (let i = 0; i < length; i++) out += String.fromCharCode(97 + int(0, 25))
      return out
    },
  }
}

/** A random 32-bit seed for a new run. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 0xffffffff) >>> 0
}

/** Derives an independent seed for a sub-stream (e.g. one step's edit) so adding draws elsewhere does not shift it. */
export function deriveSeed(seed: number, salt: number): number {
  return (Math.imul(seed ^ (salt + 0x9e3779b9), 0x85ebca6b) ^ (salt * 0xc2b2ae35)) >>> 0
}
