import { advantage } from '../stats.js'
import type { MetricRow, SystemName, Verdict } from '../model.js'

const PEERS: readonly SystemName[] = ['y-websocket', 'hocuspocus', 'y-indexeddb']

/** The peer with the best median for this row, if any peer was measured. */
export const bestPeer = (row: MetricRow): { system: SystemName; median: number } | undefined => {
  let best: { system: SystemName; median: number } | undefined
  for (const system of PEERS) {
    const outcome = row.outcomes[system]
    if (outcome?.kind !== 'measured') continue
    const m = outcome.summary.median
    if (!best || (row.better === 'higher' ? m > best.median : m < best.median)) best = { system, median: m }
  }
  return best
}

/** Driftless's advantage over the best peer (> 1: ours is better). */
export const ratioToBestPeer = (row: MetricRow): number | undefined => {
  const ours = row.outcomes.driftless
  const peer = bestPeer(row)
  if (ours?.kind !== 'measured' || !peer) return undefined
  return advantage(ours.summary.median, peer.median, row.better)
}

const fmtRatio = (r: number): string => `${r.toFixed(2)}×`

/** Judges Driftless's result in `row` against the row's target. */
export const judge = (row: MetricRow): Verdict | undefined => {
  const target = row.target
  if (!target) return undefined
  const ours = row.outcomes.driftless
  if (ours?.kind !== 'measured') {
    return { met: undefined, note: ours ? `not measured: ${ours.reason}` : 'not measured' }
  }
  const { median, min } = ours.summary
  switch (target.kind) {
    case 'atMost':
      if (target.value === 0) return median <= 0 ? { met: true, note: 'met' } : { met: false, note: `missed by ${median}` }
      return median <= target.value
        ? { met: true, note: `met (${fmtRatio(median / target.value)} of the limit)` }
        : { met: false, note: `missed: ${fmtRatio(median / target.value)} the limit` }
    case 'atLeast':
      return median >= target.value
        ? { met: true, note: `met (${fmtRatio(median / target.value)} the goal)` }
        : { met: false, note: `missed: ${fmtRatio(median / target.value)} of the goal` }
    case 'timesBestPeer': {
      const ratio = ratioToBestPeer(row)
      const peer = bestPeer(row)
      if (ratio === undefined && peer?.median === 0 && row.better === 'higher') {
        // E.g. a capacity where every peer sustained no step: any ours beats it, none does not.
        return median > 0 ? { met: true, note: 'met: the best peer measured 0' } : { met: false, note: 'missed: 0, as the best peer' }
      }
      if (ratio === undefined) return { met: undefined, note: 'no peer measured' }
      const stableEnough = target.minOverMedian === undefined || (row.better === 'higher'
        ? min >= target.minOverMedian * median
        : ours.summary.max <= median / target.minOverMedian)
      const spread = `min/median ${(min / median).toFixed(2)}`
      if (ratio >= target.factor && stableEnough) return { met: true, note: `met: ${fmtRatio(ratio)} the best peer, ${spread}` }
      const parts = []
      if (ratio < target.factor) parts.push(`${fmtRatio(ratio)} the best peer, ${fmtRatio(target.factor / ratio)} short`)
      if (!stableEnough) parts.push(`unstable: ${spread}`)
      return { met: false, note: `missed: ${parts.join('; ')}` }
    }
  }
}
