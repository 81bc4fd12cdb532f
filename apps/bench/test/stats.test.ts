import { describe, expect, it } from 'vitest'
import { advantage, median, percentile, summarize } from '../src/stats.js'

describe('stats', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
  })

  it('summarizes samples without reordering the input', () => {
    const samples = [30, 10, 20]
    expect(summarize(samples)).toEqual({ median: 20, min: 10, max: 30, p95: 30, n: 3 })
    expect(samples).toEqual([30, 10, 20])
  })

  it('uses nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1)
    expect(percentile(values, 95)).toBe(95)
    expect(percentile(values, 50)).toBe(50)
  })

  it('refuses empty samples', () => {
    expect(() => median([])).toThrow(RangeError)
  })

  it('reports advantage in the direction of "better"', () => {
    expect(advantage(300, 100, 'higher')).toBe(3)
    expect(advantage(50, 100, 'lower')).toBe(2)
    expect(advantage(0, 100, 'lower')).toBeUndefined()
  })
})
