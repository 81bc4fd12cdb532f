import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { FULL, QUICK } from './config.js'
import { BENCH_DIR, CACHE_DIR, CHROMIUM_PATH } from './paths.js'
import { describeMachine } from './report/machine.js'
import { renderReadme, type RunResults, type StandaloneSection } from './report/readme.js'
import { judge } from './report/verdict.js'
import type { ScenarioContext } from './scenario.js'
import { SCENARIOS } from './scenarios/index.js'
import { prepareDriftless } from './systems/availability.js'
import { hocuspocusClients } from './systems/hocuspocus.js'
import { yWebsocketClients } from './systems/y-websocket.js'

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    rerender: { type: 'boolean', default: false },
  },
})

if (values.rerender) {
  // Re-judge and re-render the published results, e.g. after a change to the report's layout.
  const saved = JSON.parse(readFileSync(join(BENCH_DIR, 'results.json'), 'utf8')) as RunResults
  saved.rows = saved.rows.map((row) => ({ ...row, verdict: judge(row) }))
  for (const section of saved.sections ?? []) section.rows = section.rows.map((row) => ({ ...row, verdict: judge(row) }))
  writeFileSync(join(BENCH_DIR, 'results.json'), JSON.stringify(saved, null, 2) + '\n')
  writeFileSync(join(BENCH_DIR, 'README.md'), renderReadme(saved))
  process.exit(0)
}

// Every y-websocket provider adds a process 'exit' listener; hundreds of clients are expected here.
process.setMaxListeners(0)

const log = (message: string): void => { process.stderr.write(`[bench] ${message}\n`) }
const config = values.quick ? QUICK : FULL
const only = values.only?.split(',').map((s) => s.trim())
const scenarios = only ? SCENARIOS.filter((s) => only.includes(s.id)) : SCENARIOS
if (only && scenarios.length !== only.length) {
  throw new Error(`unknown scenario in --only; known: ${SCENARIOS.map((s) => s.id).join(', ')}`)
}

const startedAt = new Date()
const driftless = await prepareDriftless({ build: !values['no-build'], log })
if ('unavailable' in driftless) log(`Driftless unavailable: ${driftless.unavailable}`)
const context: ScenarioContext = {
  config,
  clients: {
    'y-websocket': yWebsocketClients,
    hocuspocus: hocuspocusClients,
    ...('clients' in driftless ? { driftless: driftless.clients } : {}),
  },
  driftlessUnavailable: 'unavailable' in driftless ? driftless.unavailable : undefined,
  log,
}

const results: RunResults = {
  quick: config.quick,
  startedAt: startedAt.toISOString(),
  durationSeconds: 0,
  repetitions: config.repetitions,
  machine: describeMachine(CHROMIUM_PATH),
  complete: false,
  rows: [],
  methods: [],
  sections: [],
}
// A partial (--only) or quick run must not replace the published report of a full run.
const outDir = only || config.quick ? CACHE_DIR : BENCH_DIR
mkdirSync(outDir, { recursive: true })
/** Written after every scenario, so a run cut short still leaves what it measured (marked incomplete). */
const write = (): void => {
  results.durationSeconds = (Date.now() - startedAt.getTime()) / 1000
  writeFileSync(join(outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n')
  writeFileSync(join(outDir, 'README.md'), renderReadme(results))
}
/** Puts full-run standalone sections into the published report, replacing earlier ones of the same scenario. */
const publishSections = (sections: readonly StandaloneSection[]): void => {
  const path = join(BENCH_DIR, 'results.json')
  if (!existsSync(path) || sections.length === 0) return
  const published = JSON.parse(readFileSync(path, 'utf8')) as RunResults
  const replaced = new Set(sections.map((s) => s.scenario))
  published.sections = [...(published.sections ?? []).filter((s) => !replaced.has(s.scenario)), ...sections]
  writeFileSync(path, JSON.stringify(published, null, 2) + '\n')
  writeFileSync(join(BENCH_DIR, 'README.md'), renderReadme(published))
  log(`published ${[...replaced].join(', ')} into ${join(BENCH_DIR, 'README.md')}`)
}

for (const scenario of scenarios) {
  log(`${scenario.title}`)
  const began = performance.now()
  try {
    const startLoad = loadavg()
    const { rows, method, details } = await scenario.run(context)
    const judged = rows.map((row) => ({ ...row, verdict: judge(row) }))
    if (scenario.standalone) {
      results.sections?.push({
        scenario: scenario.id, title: scenario.title, startedAt: new Date(Date.now() - (performance.now() - began)).toISOString(),
        durationSeconds: (performance.now() - began) / 1000, quick: config.quick, repetitions: scenario.repetitions?.(config) ?? config.repetitions,
        loadAverage: { start: startLoad, end: loadavg() }, rows: judged, method, ...(details ? { details } : {}),
      })
    } else {
      results.rows.push(...judged)
      results.methods.push({ scenario: scenario.id, title: scenario.title, text: method, durationSeconds: (performance.now() - began) / 1000 })
    }
  } catch (error) {
    const message = error instanceof Error ? error.stack ?? error.message : String(error)
    log(`${scenario.id} failed: ${message}`)
    results.methods.push({
      scenario: scenario.id, title: scenario.title, text: `**Failed:** ${message.split('\n')[0] ?? ''}`, durationSeconds: (performance.now() - began) / 1000,
    })
  }
  log(`${scenario.id} took ${((performance.now() - began) / 1000).toFixed(1)} s`)
  write()
}
results.complete = true
write()
if (only && !config.quick && scenarios.every((s) => s.standalone)) publishSections(results.sections ?? [])
log(`wrote ${join(outDir, 'README.md')} and results.json in ${Math.round(results.durationSeconds)} s`)
// Providers keep reconnect timers alive; everything this run started has been stopped.
process.exit(0)
