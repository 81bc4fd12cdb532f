import { createRng } from './rng.js'

/** One step of a chaos run. Tab numbers index the device's open tabs at that moment. */
export type ChaosStep =
  | { kind: 'edit'; client: number; tab: number }
  | { kind: 'partition'; client: number }
  | { kind: 'heal'; client: number }
  | { kind: 'reload'; client: number; tab: number }
  | { kind: 'closeTab'; client: number; tab: number }
  | { kind: 'openTab'; client: number }
  | { kind: 'killRelay' }
  | { kind: 'restartRelay' }

/** The kinds of {@link ChaosStep}. */
export type ChaosStepKind = ChaosStep['kind']

/** Relative weights of each step kind; a kind with weight 0 never happens. */
export type ChaosWeights = Record<ChaosStepKind, number>

/** Default weights: mostly edits, with regular partitions, heals and reloads and a rare relay kill. */
export const defaultChaosWeights: ChaosWeights = {
  edit: 12,
  partition: 2,
  heal: 2,
  reload: 1,
  closeTab: 1,
  openTab: 1,
  killRelay: 0.5,
  restartRelay: 3,
}

/** What the planner needs to know about the run. */
export interface ChaosPlanOptions {
  seed: number
  steps: number
  /** Number of devices. */
  clients: number
  /** Tabs each device starts with; also the most it will have. */
  tabs: number
  /** Whether the relay may be killed. */
  relay: boolean
  /** @default defaultChaosWeights */
  weights?: Partial<ChaosWeights>
}

/**
 * Plans a chaos run: a pure function of its options, so a seed always gives the same steps. It simulates
 * the run's state (tabs per device, partitions, relay up) so every step is applicable when it runs:
 * a device never loses its last tab, only a cut device heals, only a dead relay restarts.
 */
export function planChaos(options: ChaosPlanOptions): ChaosStep[] {
  const rng = createRng(options.seed)
  const weights = { ...defaultChaosWeights, ...options.weights }
  const tabs = Array.from({ length: options.clients }, () => options.tabs)
  const cut = new Set<number>()
  let relayUp = true
  const all = tabs.map((_, client) => client)
  const plan: ChaosStep[] = []

  for (let i = 0; i < options.steps; i++) {
    const candidates: Array<[number, () => ChaosStep]> = []
    const pickTab = (client: number): number => rng.int(0, (tabs[client] ?? 1) - 1)
    candidates.push([weights.edit, () => {
      const client = rng.pick(all)
      return { kind: 'edit', client, tab: pickTab(client) }
    }])
    const connected = all.filter((client) => !cut.has(client))
    if (connected.length > 0) candidates.push([weights.partition, () => ({ kind: 'partition', client: rng.pick(connected) })])
    if (cut.size > 0) candidates.push([weights.heal, () => ({ kind: 'heal', client: rng.pick([...cut].sort()) })])
    candidates.push([weights.reload, () => {
      const client = rng.pick(all)
      return { kind: 'reload', client, tab: pickTab(client) }
    }])
    const closable = all.filter((client) => (tabs[client] ?? 0) > 1)
    if (closable.length > 0) candidates.push([weights.closeTab, () => {
      const client = rng.pick(closable)
      return { kind: 'closeTab', client, tab: pickTab(client) }
    }])
    const openable = all.filter((client) => (tabs[client] ?? 0) < options.tabs)
    if (openable.length > 0) candidates.push([weights.openTab, () => ({ kind: 'openTab', client: rng.pick(openable) })])
    if (options.relay && relayUp) candidates.push([weights.killRelay, () => ({ kind: 'killRelay' })])
    if (!relayUp) candidates.push([weights.restartRelay, () => ({ kind: 'restartRelay' })])

    const live = candidates.filter(([weight]) => weight > 0)
    const total = live.reduce((sum, [weight]) => sum + weight, 0)
    let roll = rng.next() * total
    let chosen = live[live.length - 1]
    for (const candidate of live) {
      roll -= candidate[0]
      if (roll < 0) {
        chosen = candidate
        break
      }
    }
    if (!chosen) break
    const step = chosen[1]()
    plan.push(step)

    if (step.kind === 'partition') cut.add(step.client)
    else if (step.kind === 'heal') cut.delete(step.client)
    else if (step.kind === 'closeTab') tabs[step.client] = (tabs[step.client] ?? 1) - 1
    else if (step.kind === 'openTab') tabs[step.client] = (tabs[step.client] ?? 0) + 1
    else if (step.kind === 'killRelay') relayUp = false
    else if (step.kind === 'restartRelay') relayUp = true
  }
  return plan
}

/** A one-line description of a step: `partition client 1`, `edit client 0 / tab 1`. */
export function describeStep(step: ChaosStep): string {
  switch (step.kind) {
    case 'edit':
    case 'reload':
    case 'closeTab':
      return `${step.kind} client ${step.client} / tab ${step.tab}`
    case 'partition':
    case 'heal':
    case 'openTab':
      return `${step.kind} client ${step.client}`
    default:
      return step.kind
  }
}
