/** A seeded pseudo-random generator (mulberry32), so runs make the same edits. Returns [0, 1). */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** An integer in [0, max] (inclusive). */
export const randomIndex = (random: () => number, max: number): number => Math.floor(random() * (max + 1))
