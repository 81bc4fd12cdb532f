import type { Page } from '@playwright/test'
import { heal, partition, type Client } from './clients.js'
import { describeStep, planChaos, type ChaosStep, type ChaosWeights } from './chaos-plan.js'
import { expectConverged } from './converge.js'
import type { RelayProcess } from './relay-process.js'
import { createRng, deriveSeed, randomSeed, type Rng } from './rng.js'

/** What the app's edit action receives. */
export interface ChaosEditContext {
  /** A generator seeded from the run's seed and the step number: use it for the edit's content. */
  rng: Rng
  /** Step number, from 0. */
  step: number
  /** The device doing the edit. */
  client: Client
}

/** Options of {@link chaos}. */
export interface ChaosOptions<T> {
  /**
   * The run's seed. `DRIFTLESS_CHAOS_SEED` in the environment overrides it, so a failed run can be replayed
   * without editing the test. @default a random seed
   */
  seed?: number
  /** Number of steps. */
  steps: number
  /** The devices to torment; their tab count at the start is also the most they will have. */
  clients: Client[]
  /** The relay; when given, the run also kills it (SIGKILL) and restarts it. @default none */
  relay?: RelayProcess
  /** The app's edit: makes one change in `page`; may return a label recorded in the result. */
  edit: (page: Page, context: ChaosEditContext) => Promise<string | void>
  /** Reads the state compared across tabs after the final heal. */
  read: (page: Page) => Promise<T>
  /** Relative weights of step kinds. @default defaultChaosWeights */
  weights?: Partial<ChaosWeights>
  /** How long the final convergence may take. @default 15000 */
  convergeTimeout?: number
  /** Where progress lines go. @default console.log */
  log?: (line: string) => void
}

/** What a chaos run resolves with. */
export interface ChaosResult<T> {
  seed: number
  steps: number
  /** One line per step, as run. */
  history: string[]
  /** Labels returned by the edit action, in order. */
  edits: string[]
  /** Milliseconds from the final heal (and relay restart) until every tab agreed. */
  convergeMs: number
  /** The state every tab agreed on. */
  finalState: T
  /** Total run time in milliseconds. */
  durationMs: number
}

/** Thrown when a chaos run fails; names the seed and the step, and keeps the original error as `cause`. */
export class ChaosError extends Error {
  readonly code = 'chaos-failed'
  constructor(
    message: string,
    readonly seed: number,
    options: { cause: unknown },
  ) {
    super(message, options)
    this.name = 'ChaosError'
  }
}

/** Reads the seed to use: `DRIFTLESS_CHAOS_SEED` if set, else `seed`, else a random one. */
export function resolveChaosSeed(seed?: number): number {
  const fromEnv = process.env.DRIFTLESS_CHAOS_SEED
  if (fromEnv !== undefined && fromEnv !== '') {
    const parsed = Number(fromEnv)
    if (!Number.isInteger(parsed)) throw new RangeError(`DRIFTLESS_CHAOS_SEED must be an integer, got ${fromEnv}`)
    return parsed >>> 0
  }
  return seed === undefined ? randomSeed() : seed >>> 0
}

/**
 * Runs a seeded sequence of edits, partitions, heals, reloads, tab closes and relay kills (with restarts),
 * then heals everything and expects every tab to converge. The sequence of steps depends only on the seed;
 * on failure the error names the seed to replay with `DRIFTLESS_CHAOS_SEED`.
 */
export async function chaos<T>(options: ChaosOptions<T>): Promise<ChaosResult<T>> {
  const seed = resolveChaosSeed(options.seed)
  const log = options.log ?? ((line: string) => console.log(line))
  const { clients, relay } = options
  const plan = planChaos({
    seed,
    steps: options.steps,
    clients: clients.length,
    tabs: Math.max(1, ...clients.map((client) => client.pages.length)),
    relay: relay !== undefined,
    ...(options.weights ? { weights: options.weights } : {}),
  })
  const history: string[] = []
  const edits: string[] = []
  const started = performance.now()
  log(`chaos: seed ${seed}, ${plan.length} steps (replay with DRIFTLESS_CHAOS_SEED=${seed})`)
  let current = 'start'
  try {
    for (const [index, step] of plan.entries()) {
      current = `step ${index + 1}/${plan.length}: ${describeStep(step)}`
      history.push(describeStep(step))
      const label = await runStep(step, index, seed, options)
      if (typeof label === 'string') edits.push(label)
    }
    current = 'final heal'
    for (const client of clients) heal(client)
    if (relay && !relay.running) await relay.restart()
    current = 'final convergence'
    const converged = await expectConverged(clients, options.read, { timeout: options.convergeTimeout ?? 15_000 })
    const result: ChaosResult<T> = {
      seed,
      steps: plan.length,
      history,
      edits,
      convergeMs: converged.elapsedMs,
      finalState: converged.value,
      durationMs: Math.round(performance.now() - started),
    }
    log(`chaos: seed ${seed}, ${plan.length} steps, ${edits.length} edits, converged ${result.convergeMs} ms after the final heal (run ${result.durationMs} ms)`)
    return result
  } catch (error) {
    const recent = history.slice(-12).map((line) => `    ${line}`).join('\n')
    const reason = error instanceof Error ? error.message : String(error)
    throw new ChaosError(
      `chaos run failed at ${current} (seed ${seed}; replay with DRIFTLESS_CHAOS_SEED=${seed})\n  last steps:\n${recent}\n${reason}`,
      seed,
      { cause: error },
    )
  }
}

async function runStep<T>(step: ChaosStep, index: number, seed: number, options: ChaosOptions<T>): Promise<string | void> {
  const { clients, relay } = options
  const client = 'client' in step ? clients[step.client] : undefined
  const tab = client && 'tab' in step ? client.pages[step.tab] : undefined
  switch (step.kind) {
    case 'edit':
      if (!client || !tab) throw new Error(`no tab for ${describeStep(step)}`)
      return options.edit(tab, { rng: createRng(deriveSeed(seed, index)), step: index, client })
    case 'partition':
      if (client) partition(client)
      return
    case 'heal':
      if (client) heal(client)
      return
    case 'reload':
      if (client && tab) await client.reload(tab)
      return
    case 'closeTab':
      if (client && tab) await client.closeTab(tab)
      return
    case 'openTab':
      if (client) await client.openTab()
      return
    case 'killRelay':
      await relay?.kill()
      return
    case 'restartRelay':
      await relay?.restart()
      return
  }
}
