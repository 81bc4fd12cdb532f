import type { Page } from '@playwright/test'
import type { Client } from './clients.js'
import { canonicalJson, findDifferences, formatDifferences } from './diff.js'

/** Options of {@link expectConverged}. */
export interface ConvergeOptions {
  /** How long to keep polling before failing. @default 10000 */
  timeout?: number
  /** Pause between polls. @default 100 */
  interval?: number
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
 * Polls `read` on every open tab of every client until all results are equal (compared as canonical JSON,
 * so key order does not matter). On timeout, throws a {@link ConvergenceError} naming each tab that differs
 * from the majority state and how.
 */
export async function expectConverged<T>(
  clients: readonly Client[],
  read: (page: Page) => Promise<T>,
  options: ConvergeOptions = {},
): Promise<Converged<T>> {
  const { timeout = 10_000, interval = 100 } = options
  const started = performance.now()
  let states = new Map<string, TabState>()
  for (;;) {
    const tabs: Tab[] = clients.flatMap((client) =>
      client.pages.filter((page) => !page.isClosed()).map((page) => ({ name: client.tabName(page), page })),
    )
    states = await readAll(tabs, read)
    const distinct = new Set([...states.values()].map((state) => state.json))
    const allRead = [...states.values()].every((state) => !state.failed)
    if (allRead && distinct.size === 1 && states.size === tabs.length && tabs.length > 0) {
      const [first] = states.values()
      return { value: first?.value as T, elapsedMs: Math.round(performance.now() - started) }
    }
    if (performance.now() - started >= timeout) break
    await new Promise((resolve) => setTimeout(resolve, interval))
  }
  throw new ConvergenceError(
    describeDivergence(states, timeout),
    new Map([...states].map(([name, state]) => [name, state.value])),
  )
}

type TabState = { json: string; value: unknown; failed?: true }

async function readAll<T>(tabs: Tab[], read: (page: Page) => Promise<T>): Promise<Map<string, TabState>> {
  const entries = await Promise.all(
    tabs.map(async ({ name, page }) => {
      try {
        const value: unknown = await read(page)
        return [name, { json: canonicalJson(value), value }] as const
      } catch (error) {
        // A tab that is reloading (or gone) cannot be read now: it never counts as converged, even if all fail alike.
        const value = { readFailed: error instanceof Error ? error.message.split('\n')[0] : String(error) }
        return [name, { json: canonicalJson(value), value, failed: true }] as const
      }
    }),
  )
  return new Map(entries)
}

/** Names the majority state's tabs and lists how each other tab differs from it. */
export function describeDivergence(states: ReadonlyMap<string, { json: string; value: unknown }>, timeout: number): string {
  const groups = new Map<string, string[]>()
  for (const [name, { json }] of states) groups.set(json, [...(groups.get(json) ?? []), name])
  const ranked = [...groups.entries()].sort((a, b) => b[1].length - a[1].length)
  const [majority] = ranked
  if (!majority) return `no open tabs to compare after ${timeout} ms`
  const reference = parse(majority[0])
  const lines = [
    `not converged after ${timeout} ms: ${ranked.length} distinct states across ${states.size} tabs`,
    `  reference: ${majority[1].join(', ')}`,
  ]
  for (const [json, names] of ranked.slice(1)) {
    lines.push(`  ${names.join(', ')} differ:`)
    lines.push(formatDifferences(findDifferences(reference, parse(json))))
  }
  return lines.join('\n')
}

function parse(json: string): unknown {
  return json === 'undefined' ? undefined : (JSON.parse(json) as unknown)
}
