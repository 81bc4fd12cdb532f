import type { Summary } from './stats.js'

/**
 * Every system the harness can measure. `floor` is a lower bound measured without any server;
 * `driftless-ywebsocket` is the Driftless relay driven through its y-websocket endpoint (not a peer).
 */
export const SYSTEMS = ['driftless', 'driftless-ywebsocket', 'y-websocket', 'hocuspocus', 'y-indexeddb', 'floor'] as const
export type SystemName = (typeof SYSTEMS)[number]

/** Display names in the report. */
export const SYSTEM_LABELS: Record<SystemName, string> = {
  driftless: 'Driftless',
  'driftless-ywebsocket': 'Driftless (y-websocket endpoint)',
  'y-websocket': 'y-websocket server',
  hocuspocus: 'Hocuspocus',
  'y-indexeddb': 'y-indexeddb',
  floor: 'floor',
}

export type Unit = 'ms' | 's' | 'µs' | 'edits/s' | 'KiB' | 'MiB' | 'bytes' | 'count' | 'ratio' | 'cpu-s'

/** A system's result for one metric: a summary of samples, or why there is none. */
export type Outcome = { kind: 'measured'; summary: Summary } | { kind: 'unavailable'; reason: string }

/** What a metric should reach for Driftless. Evaluated against Driftless's median. */
export type Target =
  | { kind: 'atMost'; value: number; text: string }
  | { kind: 'atLeast'; value: number; text: string }
  /** At least `factor` × the best peer's median, and (optionally) min ≥ `minOverMedian` × median. */
  | { kind: 'timesBestPeer'; factor: number; minOverMedian?: number; text: string }

/** The verdict on a target. `met` is undefined when Driftless has no value to judge. */
export interface Verdict {
  met: boolean | undefined
  /** One line: by how much the target is met or missed. */
  note: string
}

/** One row of the results table. */
export interface MetricRow {
  scenario: string
  metric: string
  unit: Unit
  better: 'lower' | 'higher'
  outcomes: Partial<Record<SystemName, Outcome>>
  target?: Target
  verdict?: Verdict
  /** Context for the reader: what was counted and how. */
  note?: string
}
