/** The capacity scenario's pure logic: which loads to offer, when a step counts as sustained, and capacity. */

/** A step is sustained when probes stay under this p99 … */
export const P99_LIMIT_MS = 100
/** … and at least this share of what was offered reached every subscriber (in total) by the step's end. */
export const DELIVERED_SHARE = 0.99

/** Offered total edit rates: `first`, doubling, up to and including `last`. */
export const offeredSteps = (first: number, last: number): number[] => {
  if (!(first > 0) || last < first) throw new RangeError(`no steps from ${first} to ${last}`)
  const steps: number[] = []
  for (let rate = first; rate <= last; rate *= 2) steps.push(rate)
  return steps
}

/** What one step of offered load measured for one system. */
export interface StepResult {
  offered: number
  /** Σ over subscribers of edits received per second of the step. */
  deliveredPerSecond: number
  /** delivered ÷ expected, over all subscribers. */
  deliveredShare: number
  p50Ms: number
  p99Ms: number
  /** Server CPU-seconds per wall second over the step (1 = one core busy). */
  cpuUtilisation: number
  /** Server CPU-seconds over the step. */
  cpuSeconds: number
  /** Share of the step the server's main thread was runnable but waiting for its core (other work on it). */
  waitShare: number
  /** Edits the subscribers received in the step (for CPU per delivered edit). */
  delivered: number
  rssMiB: number
}

export const sustained = (step: Pick<StepResult, 'p99Ms' | 'deliveredShare'>): boolean =>
  step.p99Ms <= P99_LIMIT_MS && step.deliveredShare >= DELIVERED_SHARE

/** Whether to offer the next step: only while every step so far was sustained. */
export const shouldContinue = (steps: readonly Pick<StepResult, 'p99Ms' | 'deliveredShare'>[]): boolean => steps.every(sustained)

/**
 * Capacity: the highest offered rate sustained with every lower step sustained too (a lucky step above a
 * failed one does not count); 0 when even the first step failed.
 */
export const capacityOf = (steps: readonly Pick<StepResult, 'offered' | 'p99Ms' | 'deliveredShare'>[]): number => {
  let capacity = 0
  for (const step of [...steps].sort((a, b) => a.offered - b.offered)) {
    if (!sustained(step)) break
    capacity = step.offered
  }
  return capacity
}

/** The highest step every run of every system sustained (0 if some run sustained none). */
export const commonStep = (capacities: readonly number[]): number => (capacities.length === 0 ? 0 : Math.min(...capacities))

/** Server CPU per delivered edit at `offered`, in µs; undefined if that step was not run or delivered nothing. */
export const cpuPerDeliveredEdit = (steps: readonly StepResult[], offered: number): number | undefined => {
  const step = steps.find((s) => s.offered === offered)
  if (!step || step.delivered <= 0) return undefined
  return (step.cpuSeconds / step.delivered) * 1e6
}
