/** The capacity scenario's pure logic: which loads to offer, when a step counts as sustained, and capacity. */
import type { StepCounts } from './commands.js'

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

/**
 * Once a step at FINE_FROM or above kept the server's core at least this busy, steps go up by quarter octaves
 * instead of doubling. Below FINE_FROM a busy core is fixed cost (500 subscribers each get every probe write on
 * its own), not a sign of being near capacity.
 */
export const FINE_CPU = 0.7
export const FINE_FROM = 1_600

/**
 * The next offered rate: doubling from `first`, and once a step from FINE_FROM up used FINE_CPU of a core, the quarter-octave
 * points of the doubling (D × 1.25, 1.5, 1.75, 2D …), so capacity is known to within 1.25× rather than 2×:
 * doubling alone made two runs of one system differ 2× from one step's noise. The quarter octaves go on from the
 * highest step sustained, within the octave below the last step, skipping rates already offered: a doubling
 * step that only missed the p99 is followed by the points between it and the step below, which doubling
 * skipped (one run read 25,600 where another read 51,200 because 51,200 missed by 15 ms and 32,000–44,800 were
 * never offered). Every run offers every doubling point it reaches, so runs stay comparable there. Undefined
 * past `last`, or once `shouldContinue` says stop.
 */
export const nextRate = (steps: readonly Pick<StepResult, 'offered' | 'p99Ms' | 'deliveredShare' | 'cpuUtilisation'>[], first: number, last: number): number | undefined => {
  const previous = steps[steps.length - 1]
  if (previous === undefined) return first
  if (!shouldContinue(steps)) return undefined
  const fine = steps.some((step) => step.offered >= FINE_FROM && step.cpuUtilisation >= FINE_CPU) || nextDoublingSaturates(steps)
  let next = previous.offered * 2
  if (fine) {
    const offered = new Set(steps.map((step) => step.offered))
    next = quarterOctaveAfter(Math.max(previous.offered / 2, capacityOf(steps)), first)
    while (offered.has(next)) next = quarterOctaveAfter(next, first)
  }
  return next <= last ? Math.round(next) : undefined
}

/** The quarter-octave point above `rate` on the doubling steps from `first` (D × 1.25, 1.5, 1.75, 2D …). */
const quarterOctaveAfter = (rate: number, first: number): number => {
  if (rate < first) return first
  let octave = first
  while (octave * 2 <= rate) octave *= 2
  return Math.round(octave * (1 + (Math.floor((rate / octave - 1) * 4 + 1e-9) + 1) / 4))
}

/** Whether the step at `rate` is held for `heldStepMs` (with the first subscriber count; see `CapacityConfig`). */
export const isHeld = (rate: number, config: { firstRate: number; heldFrom: number }): boolean =>
  rate >= config.heldFrom && rate <= FINE_FROM && offeredSteps(config.firstRate, FINE_FROM).includes(rate)

/**
 * Whether doubling the last step would take the core past full, extrapolating CPU linearly in the rate from the
 * last two steps (doubling ones, from FINE_FROM up). A fixed cost keeps a core below FINE_CPU close to its
 * capacity: Driftless ran 25,600 × 50 at 58–68% and 51,200 at 88–95%, so without this it went from one to the
 * other and its capacity was known only to within 2×.
 */
const nextDoublingSaturates = (steps: readonly Pick<StepResult, 'offered' | 'cpuUtilisation'>[]): boolean => {
  const last = steps[steps.length - 1]
  const before = steps[steps.length - 2]
  if (last === undefined || before === undefined || before.offered < FINE_FROM || last.offered !== before.offered * 2) return false
  return last.cpuUtilisation + 2 * (last.cpuUtilisation - before.cpuUtilisation) >= 1
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

/** Past this p99 a system is hopelessly behind, whatever the machine's load. */
export const HOPELESS_P99_MS = 10 * P99_LIMIT_MS

/**
 * Whether to offer the next step: while every step so far delivered in full and kept p99 under
 * HOPELESS_P99_MS. A step that only missed the p99 limit ends the capacity (see `capacityOf`) but not the
 * stepping: on a loaded machine the server waits for its core, and the higher steps still show its CPU
 * cost and where delivery breaks.
 */
export const shouldContinue = (steps: readonly Pick<StepResult, 'p99Ms' | 'deliveredShare'>[]): boolean =>
  steps.every((step) => step.deliveredShare >= DELIVERED_SHARE && step.p99Ms <= HOPELESS_P99_MS)

/**
 * Edits/s one dedicated core would carry at the CPU cost measured on the highest step that delivered in
 * full (offered ÷ CPU utilisation): an estimate that the machine's load distorts much less than latency.
 * Undefined when no step delivered in full.
 */
export const cpuBoundCapacity = (steps: readonly Pick<StepResult, 'offered' | 'deliveredShare' | 'cpuUtilisation'>[]): number | undefined => {
  const full = steps.filter((step) => step.deliveredShare >= DELIVERED_SHARE && step.cpuUtilisation > 0)
  const top = full.sort((a, b) => b.offered - a.offered)[0]
  return top === undefined ? undefined : top.offered / top.cpuUtilisation
}

/**
 * Capacity, as the issue defines it: the highest offered rate at which a step was sustained; 0 when none was.
 * Stepping stops once delivery falls behind (`shouldContinue`), so a sustained step above a missed one
 * followed a step that delivered in full and only missed the p99: on a shared machine one stall of the
 * server's core (another process on it) does that, and a lower load is not harder to carry than a higher one.
 */
export const capacityOf = (steps: readonly Pick<StepResult, 'offered' | 'p99Ms' | 'deliveredShare'>[]): number =>
  Math.max(0, ...steps.filter(sustained).map((step) => step.offered))

/**
 * The highest doubling step (which every run offers up to its capacity) every run of every system sustained;
 * `first` when some run sustained none, so CPU per delivered edit is still compared at one common load.
 */
export const commonStep = (capacities: readonly number[], first: number): { offered: number; sustainedByAll: boolean } => {
  const lowest = capacities.length === 0 ? 0 : Math.min(...capacities)
  if (lowest < first) return { offered: first, sustainedByAll: false }
  return { offered: offeredSteps(first, lowest).pop()!, sustainedByAll: true }
}

/** Server CPU per delivered edit at `offered`, in µs; undefined if that step was not run or delivered nothing. */
export const cpuPerDeliveredEdit = (steps: readonly StepResult[], offered: number): number | undefined => {
  const step = steps.find((s) => s.offered === offered)
  if (!step || step.delivered <= 0) return undefined
  return (step.cpuSeconds / step.delivered) * 1e6
}

/** One step's client-side counts over every load-generator process. */
export interface CombinedCounts {
  /** Σ over subscribers of the edits of others they should have received. */
  expected: number
  /** Σ over subscribers of the edits of others they received by the end of the step plus the grace. */
  delivered: number
  /** The lowest delivered ÷ expected of any one subscriber. */
  worstShare: number
  latencies: number[]
  unseen: number
  scheduleLagMs: number
}

/**
 * Combines the counts of the processes that shared one step: every subscriber, in whichever process, should
 * receive every edit written in the step by any process except its own.
 */
export const combineCounts = (parts: readonly StepCounts[]): CombinedCounts => {
  const written = parts.reduce((sum, part) => sum + part.written, 0)
  let expected = 0
  let delivered = 0
  let worstShare = 1
  for (const { delivered: received, own } of parts.flatMap((part) => part.subscribers)) {
    const should = written - own
    expected += should
    delivered += received
    if (should > 0) worstShare = Math.min(worstShare, received / should)
  }
  return {
    expected, delivered, worstShare,
    latencies: parts.flatMap((part) => part.latencies),
    unseen: parts.reduce((sum, part) => sum + part.unseen, 0),
    scheduleLagMs: Math.max(0, ...parts.map((part) => part.scheduleLagMs)),
  }
}
