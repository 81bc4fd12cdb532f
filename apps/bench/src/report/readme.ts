import { SECTION_NOTES } from './section-notes.js'
import { WHY_SHORT } from './why-short.js'
import { SYSTEMS, SYSTEM_LABELS, type MetricRow, type SystemName } from '../model.js'
import { formatOutcome } from './format.js'
import { bestPeer, ratioToBestPeer } from './verdict.js'
import type { MachineInfo } from './machine.js'

/** Everything one run produced: what results.json holds and the README is rendered from. */
export interface RunResults {
  quick: boolean
  startedAt: string
  durationSeconds: number
  repetitions: number
  machine: MachineInfo
  /** False while the run is still going (or was cut short): the report then holds only the scenarios done. */
  complete?: boolean
  rows: MetricRow[]
  /** Per scenario: how it was measured (parameters and method) and how long it took, shown under the table. */
  methods: { scenario: string; title: string; text: string; durationSeconds?: number }[]
  /** Standalone scenarios, each under its own dated heading (they may come from a later run than the rest). */
  sections?: StandaloneSection[]
}

/** One standalone scenario's results, published on their own. */
export interface StandaloneSection {
  scenario: string
  title: string
  /** When it was measured, and how long it took. */
  startedAt: string
  durationSeconds: number
  quick: boolean
  repetitions: number
  /** `os.loadavg()` (1/5/15 min) when it started and when it ended: the machine is shared. */
  loadAverage: { start: number[]; end: number[] }
  rows: MetricRow[]
  method: string
  details?: string
}

/** "Took 285 s. ", so the run's time budget can be followed scenario by scenario; nothing for older results. */
const tookText = (seconds: number | undefined): string => (seconds === undefined ? '' : `Took ${Math.round(seconds)} s. `)

const escapeCell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ')

const verdictCell = (row: MetricRow): string => {
  if (!row.verdict) return ''
  const mark = row.verdict.met === true ? '✅' : row.verdict.met === false ? '❌' : '—'
  return `${mark} ${row.verdict.note}`
}

const ratioCell = (row: MetricRow): string => {
  const ratio = ratioToBestPeer(row)
  const peer = bestPeer(row)
  if (ratio === undefined || !peer) return ''
  return `${ratio.toFixed(2)}× vs ${SYSTEM_LABELS[peer.system]}`
}

/** The results table in Markdown: one row per metric, a column per system that appears. */
export const renderTable = (rows: readonly MetricRow[]): string => {
  const systems = SYSTEMS.filter((s) => rows.some((r) => r.outcomes[s] !== undefined))
  const header = ['Scenario', 'Metric', ...systems.map((s) => SYSTEM_LABELS[s]), 'Ours vs best peer', 'Target', 'Met?']
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`]
  for (const row of rows) {
    const cells = [
      row.scenario,
      row.metric + (row.better === 'higher' ? ' ↑' : ' ↓'),
      ...systems.map((s: SystemName) => formatOutcome(row.outcomes[s], row.unit)),
      ratioCell(row),
      row.target?.text ?? '',
      verdictCell(row),
    ]
    lines.push(`| ${cells.map(escapeCell).join(' | ')} |`)
  }
  return lines.join('\n')
}

const shortfalls = (rows: readonly MetricRow[]): string[] =>
  rows.filter((r) => r.verdict?.met === false).flatMap((r) => {
    const why = WHY_SHORT[`${r.scenario} — ${r.metric}`]
    return [`- **${r.scenario} — ${r.metric}**: ${r.target?.text ?? ''}; ${r.verdict?.note ?? ''}`, ...(why ? [`  ${why}`] : [])]
  })

const unjudged = (rows: readonly MetricRow[]): string[] =>
  rows.filter((r) => r.target && r.verdict?.met === undefined).map((r) => `- **${r.scenario} — ${r.metric}**: ${r.verdict?.note ?? 'not measured'}`)

const renderSection = (section: StandaloneSection): string[] => {
  const load = (values: number[]): string => values.map((v) => v.toFixed(2)).join(' / ')
  const met = section.rows.filter((r) => r.verdict?.met === true).length
  const judged = section.rows.filter((r) => r.target).length
  const missed = shortfalls(section.rows)
  return [
    `## ${section.title}`,
    '',
    `Measured ${section.startedAt} in ${Math.round(section.durationSeconds)} s${section.quick ? ' (**QUICK RUN**: do not quote)' : ''}, ${section.repetitions} repetition${section.repetitions === 1 ? '' : 's'} per system; load average ${load(section.loadAverage.start)} at the start, ${load(section.loadAverage.end)} at the end (1 / 5 / 15 min, 2 cores, shared machine). Targets met: **${met} of ${judged}**.`,
    '',
    renderTable(section.rows),
    '',
    ...(missed.length ? ['Where Driftless falls short here:', '', ...missed, ''] : []),
    ...(section.details ? [section.details, ''] : []),
    ...(SECTION_NOTES[section.scenario] ? [SECTION_NOTES[section.scenario]!, ''] : []),
    `### How ${section.title.split(' (')[0]} is measured`,
    '',
    section.method,
    '',
  ]
}

/** The whole apps/bench/README.md, generated from one run's results. */
export const renderReadme = (results: RunResults): string => {
  const m = results.machine
  const met = results.rows.filter((r) => r.verdict?.met === true).length
  const judged = results.rows.filter((r) => r.target).length
  const missed = shortfalls(results.rows)
  const notJudged = unjudged(results.rows)
  return [
    '# Driftless benchmarks',
    '',
    '<!-- Generated by `npm run bench` (apps/bench/src/run.ts). Do not edit by hand. -->',
    '',
    ...(results.complete === false ? ['> **INCOMPLETE RUN**: stopped before every scenario ran; only those below were measured.', ''] : []),
    results.quick
      ? '> **QUICK RUN** (`--quick`): fewer repetitions, clients and smaller sizes. For development only; do not quote these numbers.'
      : `> Full run: ${results.repetitions} repetitions per system, systems alternating with the order flipped each repetition.`,
    '',
    `Driftless side by side with the y-websocket server, Hocuspocus and y-indexeddb. Each server runs in its own`,
    'process bound to 127.0.0.1 (its RSS and CPU are read from `/proc/<pid>`); clients run in the harness process',
    '(Node) or in Chromium pages. Cells show the median with min–max over the repetitions; ↑ higher is better, ↓ lower',
    'is better. "Ours vs best peer" is how many times better Driftless is than the best peer (below 1: worse).',
    '',
    `Run ${results.startedAt} in ${Math.round(results.durationSeconds)} s. Targets met: **${met} of ${judged}**.`,
    '',
    '## Machine',
    '',
    `- CPU: ${m.cpuModel}, ${m.cores} cores; RAM ${m.memoryGiB.toFixed(1)} GiB; ${m.os}`,
    `- Node ${m.node}; Chromium ${m.chromium}`,
    `- Packages: ${Object.entries(m.packages).map(([name, version]) => `${name} ${version}`).join(', ')}`,
    '',
    '## Results',
    '',
    renderTable(results.rows),
    '',
    '## Where Driftless falls short',
    '',
    ...(missed.length ? missed : ['- Every measured target is met.']),
    '',
    ...(notJudged.length ? ['## Targets not judged', '', ...notJudged, ''] : []),
    '## How each scenario is measured',
    '',
    ...results.methods.flatMap((x) => [`### ${x.title}`, '', `${tookText(x.durationSeconds)}${x.text}`, '']),
    ...(results.sections ?? []).flatMap(renderSection),
    '## Running',
    '',
    '```sh',
    'npm run bench              # full run (≤ 25 min), rewrites this README and results.json',
    'npm run bench -- --quick   # ≤ 3 min, for development; writes to apps/bench/.cache, not here',
    'npm run bench -- --only fan-out,tabs   # some scenarios; writes to apps/bench/.cache, not here',
    'npm run bench -- --only capacity      # standalone scenarios only: also replaces their section here',
    'npm run bench -- --rerender            # re-render this README from results.json',
    '```',
    '',
    'Before measuring, the harness builds the Driftless packages (`tsc -p packages/<x>/tsconfig.build.json`; skip with',
    '`--no-build`) and runs the relay from its CLI in its own process. Peers are devDependencies of apps/bench only.',
    '',
    'Scenarios live in `src/scenarios/`, one module each exporting a `Scenario` (`id`, `title`, `run(context)` returning',
    'rows and a method note), listed in `src/scenarios/index.ts`. To add one, write',
    'the module and add it to that list; `repeatAlternating` and `rowFrom` in `src/scenario.ts` give it the',
    'alternating repetitions, medians and targets every other scenario uses.',
    '',
  ].join('\n')
}
