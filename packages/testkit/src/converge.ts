import type { Page } from '@playwright/test'
import type { Client } from './clients.js'
import { findDifferences, formatDifferences, sameState } from './diff.js'
import { waitUntil, WaitTimeoutError } from './wait.js'

/** Options of {@link expectConverged}. */
export interface ConvergeOptions {
  /** How long to keep polling before failing. @default 10000 */
  timeout?: number
  /** Pause between polls. @default 100 */
  interval?: number
  /**
   * Consecutive polls that must find every tab on the same state before it counts as converged. A UI in the
   * middle of an update can pass through a state that happens to equal another tab's (a list re-rendered
   * with one entry replaced before the next is added); reading the agreement twice, `interval` apart, tells
   * a settled state from a passing one. @default 2
   */
  stableReads?: number
}

/** What {@link expectConverged} resolves with. */
export interface Converged<T> {
  /** The state every tab agreed on. */
  value: T
  /** Milliseconds from the call until every tab agreed. */
  elapsedMs: number
}

/** Thrown when tabs still disagree at the timeout; the message holds a diff of each divergent tab. */
export class ConvergenceError extends Error {
  readonly code = 'not-converged'
  constructor(
    message: string,
    /** The last state read from each tab, by tab name. */
    readonly states: ReadonlyMap<string, unknown>,
  ) {
    super(message)
    this.name = 'ConvergenceError'
  }
}

type Tab = { name: string; page: Page }

/**
 * Polls `read` on every open tab of every client until all results are equal (compared as JSON values, so
 * key order does not matter) on `stableReads` consecutive polls. On timeout, throws a {@link ConvergenceError}
 * naming each tab that differs from the majority state and how.
 */
export async function expectConverged<T>(
  clients: readonly Client[],
  read: (page: Page) => Promise<T>,
  options: ConvergeOptions = {},
): Promise<Converged<T>> {
  const { timeout = 10_000, interval = 100, stableReads = 2 } = options
  const started = performance.now()
  let states = new Map<string, TabState>()
  let agreedOn: { value: unknown; reads: number } | undefined
  const settled = async (): Promise<boolean> => {
    if (!(await agreed())) {
      agreedOn = undefined
      return false
    }
    const value = states.values().next().value?.value
    const reads = agreedOn !== undefined && sameState(agreedOn.value, value) ? agreedOn.reads + 1 : 1
    agreedOn = { value, reads }
    return reads >= stableReads
  }
  const agreed = async (): Promise<boolean> => {
    const tabs: Tab[] = clients.flatMap((client) =>
      client.pages.filter((page) => !page.isClosed()).map((page) => ({ name: client.tabName(page), page })),
    )
    states = await readAll(tabs, read)
    const allRead = [...states.values()].every((state) => !state.failed)
    return allRead && groupStates(states).length === 1 && states.size === tabs.length && tabs.length > 0
  }
  try {
    await waitUntil(settled, timeout, 'convergence', { intervalMs: interval })
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error
    throw new ConvergenceError(
      describeDivergence(states, timeout),
      new Map([...states].map(([name, state]) => [name, state.value])),
    )
  }
  const [first] = states.values()
  return { value: first?.value as T, elapsedMs: Math.round(performance.now() - started) }
}

type TabState = { value: unknown; failed?: true }

async function readAll<T>(tabs: Tab[], read: (page: Page) => Promise<T>): Promise<Map<string, TabState>> {
  const entries = await Promise.all(
    tabs.map(async ({ name, page }) => {
      try {
        const value: unknown = await read(page)
        return [name, { value }] as const
      } catch (error) {
        // A tab that is reloading (or gone) cannot be read now: it never counts as converged, even if all fail alike.
        const value = { readFailed: error instanceof Error ? error.message.split('\n')[0] : String(error) }
        return [name, { value, failed: true }] as const
      }
    }),
  )
  return new Map(entries)
}

/** Tabs grouped by the state they hold (see `sameState`), largest group first. */
function groupStates(states: ReadonlyMap<string, { value: unknown }>): { value: unknown; names: string[] }[] {
  const groups: { value: unknown; names: string[] }[] = []
  for (const [name, { value }] of states) {
    const group = groups.find((candidate) => sameState(candidate.value, value))
    if (group) group.names.push(name)
    else groups.push({ value, names: [name] })
  }
  return groups.sort((a, b) => b.names.length - a.names.length)
}

/** Names the majority state's tabs and lists how each other tab differs from it. */
export function describeDivergence(states: ReadonlyMap<string, { value: unknown }>, timeout: number): string {
  const ranked = groupStates(states)
  const [majority] = ranked
  if (!majority) return `no open tabs to compare after ${timeout} ms`
  const lines = [
    `not converged after ${timeout} ms: ${ranked.length} distinct states across ${states.size} tabs`,
    `  reference: ${majority.names.join(', ')}`,
  ]
  for (const { value, names } of ranked.slice(1)) {
    lines.push(`  ${names.join(', ')} differ:`)
    lines.push(formatDifferences(findDifferences(majority.value, value)))
  }
  return lines.join('\n')
}
