import { describe, expect, it } from 'vitest'
import type { MetricRow, Outcome } from '../src/model.js'
import { renderTable } from '../src/report/readme.js'
import { judge, ratioToBestPeer } from '../src/report/verdict.js'
import { summarize } from '../src/stats.js'

const measured = (...values: number[]): Outcome => ({ kind: 'measured', summary: summarize(values) })

const fanOutRow = (ours: Outcome): MetricRow => ({
  scenario: 'fan-out',
  metric: 'edits delivered/s',
  unit: 'edits/s',
  better: 'higher',
  outcomes: { driftless: ours, 'y-websocket': measured(20_000, 23_000, 25_000), hocuspocus: measured(26_000, 100_000, 136_000) },
  target: { kind: 'timesBestPeer', factor: 3, minOverMedian: 0.8, text: '≥ 3× best peer' },
})

describe('targets', () => {
  it('compares with the best peer by median', () => {
    // Hocuspocus is the best peer: median 100k; ours 310k.
    expect(ratioToBestPeer(fanOutRow(measured(300_000, 310_000, 320_000)))).toBeCloseTo(3.1)
  })

  it('meets a ratio target only when the spread is tight enough too', () => {
    expect(judge(fanOutRow(measured(300_000, 310_000, 320_000)))?.met).toBe(true)
    const unstable = judge(fanOutRow(measured(100_000, 310_000, 320_000)))
    expect(unstable?.met).toBe(false)
    expect(unstable?.note).toContain('unstable')
  })

  it('judges a higher-is-better target against a best peer of 0', () => {
    const zeroPeers = (ours: Outcome): MetricRow => ({ ...fanOutRow(ours), outcomes: { driftless: ours, hocuspocus: measured(0, 0) } })
    expect(judge(zeroPeers(measured(50, 100)))?.met).toBe(true)
    expect(judge(zeroPeers(measured(0, 0)))?.met).toBe(false)
  })

  it('says by how much a limit is missed', () => {
    const row: MetricRow = {
      scenario: 'large document', metric: 'server RSS', unit: 'MiB', better: 'lower',
      outcomes: { driftless: measured(100) }, target: { kind: 'atMost', value: 80, text: '≤ 80 MiB' },
    }
    expect(judge(row)).toEqual({ met: false, note: 'missed: 1.25× the limit' })
  })

  it('leaves a target unjudged when Driftless was not measured', () => {
    const verdict = judge(fanOutRow({ kind: 'unavailable', reason: 'relay not built' }))
    expect(verdict?.met).toBeUndefined()
    expect(verdict?.note).toContain('relay not built')
  })
})

describe('README table', () => {
  it('shows medians with ranges, reasons for missing values and escapes pipes', () => {
    const table = renderTable([fanOutRow({ kind: 'unavailable', reason: 'a | b' })])
    const lines = table.split('\n')
    expect(lines[0]).toBe('| Scenario | Metric | Driftless | y-websocket server | Hocuspocus | Ours vs best peer | Target | Met? |')
    expect(lines[2]).toContain('23,000/s (20,000–25,000)')
    expect(lines[2]).toContain('n/a: a \\| b')
  })
})
