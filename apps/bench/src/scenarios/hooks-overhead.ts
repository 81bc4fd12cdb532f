import { join } from 'node:path'
import type { MetricRow, Target, Unit } from '../model.js'
import { BENCH_DIR } from '../paths.js'
import { startServer } from '../proc/server-process.js'
import { repeatAlternating, tempDir, type Scenario, type SystemSamples } from '../scenario.js'
import { summarize } from '../stats.js'
import { measureFanOut } from './fan-out.js'

const SCENARIO = '10. relay hooks overhead'
const VARIANTS = ['without hooks', 'no-op afterCommit'] as const
type Variant = (typeof VARIANTS)[number]

/** Per-repetition ratio of the hooked variant's metric to the plain one's (pairs run back to back). */
const ratios = (results: Map<Variant, SystemSamples>, key: string): number[] => {
  const plain = results.get('without hooks')
  const hooked = results.get('no-op afterCommit')
  if (!plain || !hooked || 'error' in plain || 'error' in hooked) return []
  const a = plain.samples.get(key) ?? []
  const b = hooked.samples.get(key) ?? []
  return a.slice(0, b.length).map((value, i) => (b[i] as number) / value)
}

const row = (metric: string, unit: Unit, better: 'lower' | 'higher', values: number[], error: string | undefined, target?: Target, note?: string): MetricRow => ({
  scenario: SCENARIO, metric, unit, better, target, note,
  outcomes: { driftless: values.length > 0 ? { kind: 'measured', summary: summarize(values) } : { kind: 'unavailable', reason: error ?? 'no samples' } },
})

/**
 * What an `afterCommit` hook costs on the fan-out path: the fan-out workload against the same relay script
 * with and without an async hook that does nothing, alternating, as pairs.
 */
export const hooksOverhead: Scenario = {
  id: 'hooks-overhead',
  title: SCENARIO,
  async run(context) {
    const { clients: count, rounds } = context.config.fanOut
    const pairs = context.config.quick ? 1 : 5
    const clientSystem = context.clients.driftless
    if (!clientSystem) {
      const reason = context.driftlessUnavailable ?? 'Driftless clients unavailable'
      return { rows: [row('edits delivered/s, no-op afterCommit ÷ without hooks', 'ratio', 'higher', [], reason)], method: 'not run' }
    }
    const script = join(BENCH_DIR, 'servers', 'driftless-hooks-relay.mjs')
    const results = await repeatAlternating({ ...context, config: { ...context.config, repetitions: pairs } }, VARIANTS, async (variant, rep) => {
      const data = tempDir('hooks-overhead')
      const server = await startServer('driftless', {
        dataDir: data.path, script: { path: script, args: variant === 'no-op afterCommit' ? ['--after-commit-noop'] : [] },
      })
      try {
        const measured = await measureFanOut(server, clientSystem, `hooks-${rep}`, count, rounds, 2000 + rep)
        return { rate: measured.rate, cpuPerEdit: (measured.cpu / (rounds * count)) * 1e6 }
      } finally {
        await server.stop()
        data.remove()
      }
    })
    const failed = [...results.values()].find((r): r is { error: string } => 'error' in r)?.error
    const rates = (variant: Variant): number[] => {
      const r = results.get(variant)
      return r && 'samples' in r ? r.samples.get('rate') ?? [] : []
    }
    return {
      rows: [
        row('edits delivered/s without hooks', 'edits/s', 'higher', rates('without hooks'), failed),
        row('edits delivered/s with a no-op afterCommit', 'edits/s', 'higher', rates('no-op afterCommit'), failed),
        row('edits delivered/s, no-op afterCommit ÷ without hooks', 'ratio', 'higher', ratios(results, 'rate'), failed,
          { kind: 'atLeast', value: 0.95, text: '≥ 0.95 (≤ 5% overhead)' }, 'per pair of back-to-back runs'),
        row('relay CPU per edit, no-op afterCommit ÷ without hooks', 'ratio', 'lower', ratios(results, 'cpuPerEdit'), failed,
          { kind: 'atMost', value: 1.05, text: '≤ 1.05' }, 'per pair of back-to-back runs'),
      ],
      method: `The fan-out workload (1 document, ${count} clients, ${rounds} rounds; see scenario 1) against the relay started by servers/driftless-hooks-relay.mjs (SQLite, the CLI's settings) without hooks and with \`hooks: { afterCommit: async () => {} }\`, ${pairs} pair(s), alternating which runs first. Ratios are taken within each pair, then summarized.`,
    }
  },
}
