import { describe, expect, it } from 'vitest'
import type { MetricRow, Outcome } from '../src/model.js'
import { repeatabilityRow } from '../src/capacity/report.js'
import { renderReadme, type RunResults } from '../src/report/readme.js'
import { judge } from '../src/report/verdict.js'
import { summarize } from '../src/stats.js'

const measured = (...values: number[]): Outcome => ({ kind: 'measured', summary: summarize(values) })

const row = (better: 'higher' | 'lower', ...values: number[]): MetricRow => ({
  scenario: '10. capacity', metric: `m-${better}`, unit: 'count', better,
  outcomes: { driftless: measured(...values) }, target: { kind: 'atLeast', value: 0, text: 'any' },
})

const runResults = (change: Partial<RunResults>): RunResults => ({
  quick: false, startedAt: '2026-01-01T00:00:00.000Z', durationSeconds: 1, repetitions: 3,
  machine: { cpuModel: 'cpu', cores: 2, memoryGiB: 1, os: 'os', node: 'v20', chromium: 'c', packages: {} },
  rows: [], methods: [], ...change,
})

describe('capacity report', () => {
  it('takes the worst spread of the target rows, in the direction of "better"', () => {
    // higher: min/median = 80/100; lower: median/max = 10/20.
    const repeatability = repeatabilityRow('10. capacity', [row('higher', 80, 100, 110), row('lower', 9, 10, 20)])
    const ours = repeatability.outcomes.driftless
    expect(ours?.kind === 'measured' && ours.summary.median).toBe(0.5)
    expect(judge(repeatability)?.met).toBe(false)
    expect(judge(repeatabilityRow('10. capacity', [row('higher', 90, 100, 100)]))?.met).toBe(true)
  })

  it('publishes a standalone section under its own heading, dated, with the load average', () => {
    const results = runResults({
      sections: [{
        scenario: 'capacity', title: '10. capacity (pinned)', startedAt: '2026-02-03T04:05:06.000Z', durationSeconds: 600,
        quick: false, repetitions: 3, loadAverage: { start: [1.5, 2, 3], end: [4, 5, 6] }, rows: [row('higher', 1, 2, 3)],
        method: 'how it is measured', details: 'step tables',
      }],
    })
    const readme = renderReadme(results)
    expect(readme).toContain('## 10. capacity (pinned)')
    expect(readme).toContain('Measured 2026-02-03T04:05:06.000Z in 600 s')
    expect(readme).toContain('load average 1.50 / 2.00 / 3.00 at the start, 4.00 / 5.00 / 6.00 at the end')
    expect(readme).toContain('step tables')
    expect(readme).toContain('how it is measured')
  })
})

describe('the report of a run', () => {
  it('says how long each scenario took, so the run\'s time budget can be followed scenario by scenario', () => {
    const readme = renderReadme(runResults({
      methods: [
        { scenario: 'tabs', title: '7. tabs', text: 'Two tabs.', durationSeconds: 41.6 },
        { scenario: 'events', title: '8. events', text: 'Events.' },
      ],
    }))
    expect(readme).toContain('### 7. tabs\n\nTook 42 s. Two tabs.')
    expect(readme).toContain('### 8. events\n\nEvents.')
  })
})
