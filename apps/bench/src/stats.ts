/** Summary of repeated samples of one metric: the median with its range. */
export interface Summary {
  median: number
  min: number
  max: number
  /** 95th percentile (nearest rank); only meaningful for many samples. */
  p95: number
  /** How many samples the summary is made of. */
  n: number
}

/** Nearest-rank percentile of `values` (0 < p ≤ 100); throws on an empty list. */
export const percentile = (values: readonly number[], p: number): number => {
  if (values.length === 0) throw new RangeError('percentile of no values')
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return sorted[rank - 1] as number
}

/** Median (mean of the two middle values for an even count); throws on an empty list. */
export const median = (values: readonly number[]): number => {
  if (values.length === 0) throw new RangeError('median of no values')
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** Summarizes samples into median, min, max and p95. */
export const summarize = (values: readonly number[]): Summary => ({
  median: median(values),
  min: Math.min(...values),
  max: Math.max(...values),
  p95: percentile(values, 95),
  n: values.length,
})

/**
 * How many times better `ours` is than `other`, whatever the direction of "better":
 * above 1 means ours is better. Undefined when a value is 0 or not finite.
 */
export const advantage = (ours: number, other: number, better: 'lower' | 'higher'): number | undefined => {
  const ratio = better === 'higher' ? ours / other : other / ours
  return Number.isFinite(ratio) && ratio > 0 ? ratio : undefined
}
