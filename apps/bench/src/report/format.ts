import type { Outcome, Unit } from '../model.js'
import type { Summary } from '../stats.js'

/** A number with about three significant digits and thousands separators. */
export const formatNumber = (value: number): string => {
  if (!Number.isFinite(value)) return String(value)
  const abs = Math.abs(value)
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })
}

const UNIT_SUFFIX: Record<Unit, string> = {
  ms: ' ms', s: ' s', 'µs': ' µs', 'edits/s': '/s', KiB: ' KiB', MiB: ' MiB', bytes: ' B', count: '', ratio: '×', 'cpu-s': ' CPU-s',
}

/** "median (min–max)" with the unit, or just the value when all samples agree. */
export const formatSummary = (summary: Summary, unit: Unit): string => {
  const suffix = UNIT_SUFFIX[unit]
  const med = formatNumber(summary.median)
  if (summary.n === 1 || summary.min === summary.max) return `${med}${suffix}`
  return `${med}${suffix} (${formatNumber(summary.min)}–${formatNumber(summary.max)})`
}

/** A table cell for one system's outcome. */
export const formatOutcome = (outcome: Outcome | undefined, unit: Unit): string => {
  if (!outcome) return '—'
  if (outcome.kind === 'measured') return formatSummary(outcome.summary, unit)
  // Long reasons (stack-like errors) would swamp the table; the full text is in results.json.
  return `n/a: ${outcome.reason.length > 70 ? `${outcome.reason.slice(0, 67)}…` : outcome.reason}`
}
