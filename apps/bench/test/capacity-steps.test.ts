import { describe, expect, it } from 'vitest'
import { capacityOf, combineCounts, commonStep, cpuBoundCapacity, cpuPerDeliveredEdit, isHeld, nextRate, offeredSteps, shouldContinue, sustained, type StepResult } from '../src/capacity/steps.js'

const step = (offered: number, p99Ms: number, deliveredShare: number, extra: Partial<StepResult> = {}): StepResult => ({
  offered, p99Ms, deliveredShare, p50Ms: p99Ms / 2, deliveredPerSecond: 0, cpuUtilisation: 0, cpuSeconds: 0, waitShare: 0, delivered: 0, rssMiB: 0, ...extra,
})

describe('capacity steps', () => {
  it('doubles the offered rate from the first step up to the last', () => {
    expect(offeredSteps(50, 800)).toEqual([50, 100, 200, 400, 800])
    expect(offeredSteps(50, 1000)).toEqual([50, 100, 200, 400, 800])
    expect(() => offeredSteps(0, 100)).toThrow(RangeError)
  })

  it('sustains a step only with p99 ≤ 100 ms and ≥ 99% delivered', () => {
    expect(sustained(step(100, 100, 0.99))).toBe(true)
    expect(sustained(step(100, 101, 1))).toBe(false)
    expect(sustained(step(100, 5, 0.989))).toBe(false)
    expect(sustained(step(100, Infinity, 1))).toBe(false)
  })

  it('keeps stepping past a missed p99, and stops once delivery falls behind or p99 is hopeless', () => {
    expect(shouldContinue([step(50, 3, 1), step(100, 400, 1)])).toBe(true)
    expect(shouldContinue([step(50, 3, 1), step(100, 4, 0.9)])).toBe(false)
    expect(shouldContinue([step(50, 3, 1), step(100, 1001, 1)])).toBe(false)
  })

  it('estimates a CPU-bound capacity from the highest step delivered in full', () => {
    const run = [step(100, 5, 1, { cpuUtilisation: 0.1 }), step(200, 300, 1, { cpuUtilisation: 0.25 }), step(400, 900, 0.5, { cpuUtilisation: 1 })]
    expect(cpuBoundCapacity(run)).toBe(800)
    expect(cpuBoundCapacity([step(100, 5, 0.5, { cpuUtilisation: 1 })])).toBeUndefined()
  })

  it('takes the highest sustained step', () => {
    expect(capacityOf([step(50, 3, 1), step(100, 4, 1), step(200, 150, 1)])).toBe(100)
    // A step that only missed the p99 (a stall of the server's core) does not end the capacity.
    expect(capacityOf([step(200, 5, 1), step(50, 3, 1), step(100, 400, 1)])).toBe(200)
    expect(capacityOf([step(50, 3, 1), step(100, 4, 0.5)])).toBe(50)
    expect(capacityOf([step(50, 300, 1)])).toBe(0)
    expect(capacityOf([])).toBe(0)
  })

  it('doubles, and goes on by quarter octaves once a step from 1,600 edits/s up kept the server\'s core 70% busy', () => {
    const cpu = (cpuUtilisation: number): Partial<StepResult> => ({ cpuUtilisation })
    expect(nextRate([], 100, 51_200)).toBe(100)
    expect(nextRate([step(100, 3, 1, cpu(0.1))], 100, 51_200)).toBe(200)
    // A busy core at a low rate is fixed cost: still doubling.
    expect(nextRate([step(100, 3, 1, cpu(0.9))], 100, 51_200)).toBe(200)
    const busy = [step(800, 3, 1, cpu(0.1)), step(1_600, 3, 1, cpu(0.2)), step(3_200, 3, 1, cpu(0.8))]
    expect(nextRate(busy, 100, 51_200)).toBe(4_000)
    expect(nextRate([...busy, step(4_000, 3, 1, cpu(0.4))], 100, 51_200)).toBe(4_800)
    expect(nextRate([...busy, step(5_600, 3, 1, cpu(0.7))], 100, 51_200)).toBe(6_400)
    expect(nextRate([...busy, step(6_400, 3, 1, cpu(0.7))], 100, 51_200)).toBe(8_000)
    // Below 70% busy, but the next doubling would saturate the core (extrapolating the last two steps): refine.
    const climbing = [step(12_800, 3, 1, cpu(0.43)), step(25_600, 3, 1, cpu(0.68))]
    expect(nextRate(climbing, 100, 204_800)).toBe(32_000)
    // A fixed cost that barely grows with the rate does not.
    expect(nextRate([step(1_600, 3, 1, cpu(0.59)), step(3_200, 3, 1, cpu(0.57))], 100, 204_800)).toBe(6_400)
    // A doubling step that only missed the p99: the quarter octaves below it, which doubling skipped, come next…
    const missed = [step(12_800, 3, 1, cpu(0.43)), step(25_600, 3, 1, cpu(0.44)), step(51_200, 115, 1, cpu(0.9))]
    expect(nextRate(missed, 100, 204_800)).toBe(32_000)
    const filled = [...missed, step(32_000, 40, 1, cpu(0.6)), step(38_400, 50, 1, cpu(0.7))]
    expect(nextRate(filled, 100, 204_800)).toBe(44_800)
    // … then stepping goes on above what was offered.
    expect(nextRate([...filled, step(44_800, 120, 1, cpu(0.8))], 100, 204_800)).toBe(64_000)
    expect(nextRate([...filled, step(44_800, 60, 1, cpu(0.8))], 100, 204_800)).toBe(64_000)
    // Never past the last step, and not after a step that fell behind.
    expect(nextRate([step(51_200, 3, 1, cpu(0.1))], 100, 51_200)).toBeUndefined()
    expect(nextRate([...busy, step(4_000, 3, 0.5, cpu(1))], 100, 51_200)).toBeUndefined()
  })

  it('holds the doubling steps where the common step falls, from heldFrom up to 1,600 edits/s', () => {
    const config = { firstRate: 50, heldFrom: 400 }
    expect([50, 200, 400, 800, 1_600, 2_000, 3_200].filter((rate) => isHeld(rate, config))).toEqual([400, 800, 1_600])
    // Only doubling points of the run: a run starting at 300 offers 600 and 1,200, not 800.
    expect([600, 800, 1_200].filter((rate) => isHeld(rate, { firstRate: 300, heldFrom: 400 }))).toEqual([600, 1_200])
  })

  it('compares CPU per delivered edit at the step every run sustained', () => {
    expect(commonStep([800, 400, 1600], 50)).toEqual({ offered: 400, sustainedByAll: true })
    // A quarter-octave capacity: the doubling step below it, which every run offered.
    expect(commonStep([1_000, 1_600], 50)).toEqual({ offered: 800, sustainedByAll: true })
    expect(commonStep([800, 0], 50)).toEqual({ offered: 50, sustainedByAll: false })
    const run = [step(400, 5, 1, { cpuSeconds: 0.5, delivered: 100_000 })]
    expect(cpuPerDeliveredEdit(run, 400)).toBeCloseTo(5)
    expect(cpuPerDeliveredEdit(run, 800)).toBeUndefined()
  })

  it('combines the load processes: each subscriber expects every edit of every process but its own', () => {
    const bulk = { written: 90, subscribers: [{ delivered: 100, own: 90 }, { delivered: 100, own: 0 }], latencies: [], unseen: 0, scheduleLagMs: 3 }
    const probes = { written: 10, subscribers: [{ delivered: 99, own: 0 }], latencies: [4, 5], unseen: 1, scheduleLagMs: 1 }
    const combined = combineCounts([bulk, probes])
    expect(combined.expected).toBe(10 + 100 + 100)
    expect(combined.delivered).toBe(299)
    expect(combined.worstShare).toBe(0.99)
    expect(combined).toMatchObject({ latencies: [4, 5], unseen: 1, scheduleLagMs: 3 })
  })
})
