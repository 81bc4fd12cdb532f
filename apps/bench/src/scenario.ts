import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BenchConfig } from './config.js'
import type { MetricRow, Outcome, SystemName, Target, Unit } from './model.js'
import { summarize } from './stats.js'
import type { ClientSystem } from './systems/types.js'

/** Shared by every scenario of a run. */
export interface ScenarioContext {
  config: BenchConfig
  /** Node client systems that can run, by name; Driftless is absent (with a reason) until its packages work. */
  clients: Partial<Record<'driftless' | 'y-websocket' | 'hocuspocus', ClientSystem>>
  /** Why Driftless cannot run, when it cannot. */
  driftlessUnavailable: string | undefined
  log(message: string): void
}

/** What one scenario produced. */
export interface ScenarioResult {
  rows: MetricRow[]
  /** How it was measured, for the README. */
  method: string
  /** More Markdown shown under a standalone scenario's table (e.g. per-step tables). */
  details?: string
}

/** One benchmark scenario. Add a module under src/scenarios and list it in src/scenarios/index.ts. */
export interface Scenario {
  id: string
  title: string
  /**
   * Reported under its own dated heading, with its own table, rather than in the main table; an `--only`
   * run of standalone scenarios publishes them without touching the other scenarios' published results.
   */
  standalone?: boolean
  /** Repetitions per system when the scenario sets its own. @default the run's `repetitions` */
  repetitions?(config: BenchConfig): number
  run(context: ScenarioContext): Promise<ScenarioResult>
}

/** Samples per metric, or why the system produced none. */
export type SystemSamples = { samples: Map<string, number[]> } | { error: string }

/**
 * Runs `sample` `repetitions` times for each system, alternating systems and flipping their order every
 * repetition. A system whose sample throws is not sampled again; the error is kept as its outcome.
 */
export const repeatAlternating = async <S extends string>(
  context: ScenarioContext,
  systems: readonly S[],
  sample: (system: S, repetition: number) => Promise<Record<string, number>>,
): Promise<Map<S, SystemSamples>> => {
  const results = new Map<S, SystemSamples>()
  for (let rep = 0; rep < context.config.repetitions; rep++) {
    const order = rep % 2 === 0 ? systems : [...systems].reverse()
    for (const system of order) {
      const previous = results.get(system)
      if (previous && 'error' in previous) continue
      context.log(`  ${system} #${rep + 1}`)
      try {
        const values = await sample(system, rep)
        const samples = previous?.samples ?? new Map<string, number[]>()
        for (const [metric, value] of Object.entries(values)) samples.set(metric, [...(samples.get(metric) ?? []), value])
        results.set(system, { samples })
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        context.log(`  ${system} failed: ${message}`)
        results.set(system, { error: message.slice(0, 160) })
      }
    }
  }
  return results
}

/** A table row for `metric` from repeated samples, with explicit outcomes for systems that cannot run it. */
export const rowFrom = (
  spec: { scenario: string; metric: string; key: string; unit: Unit; better: 'lower' | 'higher'; target?: Target; note?: string },
  samples: Map<SystemName, SystemSamples>,
  unavailable: Partial<Record<SystemName, string>> = {},
): MetricRow => {
  const outcomes: Partial<Record<SystemName, Outcome>> = {}
  for (const [system, reason] of Object.entries(unavailable) as [SystemName, string][]) outcomes[system] = { kind: 'unavailable', reason }
  for (const [system, result] of samples) {
    if ('error' in result) {
      outcomes[system] = { kind: 'unavailable', reason: `failed: ${result.error}` }
      continue
    }
    const values = result.samples.get(spec.key)
    // A system that does not report this metric at all (e.g. the floor for server RSS) gets no cell.
    if (values?.length) outcomes[system] = { kind: 'measured', summary: summarize(values) }
  }
  const { key: _key, ...rest } = spec
  return { ...rest, outcomes }
}

/** A fresh temporary directory, removed by the returned function. */
export const tempDir = (prefix: string): { path: string; remove(): void } => {
  const path = mkdtempSync(join(tmpdir(), `driftless-bench-${prefix}-`))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/** The server-backed systems a Node scenario can run, plus the reason Driftless is missing if it is. */
export const serverSystems = (context: ScenarioContext): { systems: ('driftless' | 'y-websocket' | 'hocuspocus')[]; unavailable: Partial<Record<SystemName, string>> } => {
  const systems = (['driftless', 'y-websocket', 'hocuspocus'] as const).filter((s) => context.clients[s] !== undefined)
  const unavailable: Partial<Record<SystemName, string>> = {}
  if (context.driftlessUnavailable) unavailable.driftless = context.driftlessUnavailable
  return { systems, unavailable }
}
