import { mkdtempSync, rmSync } from 'node:fs'
import type * as Y from 'yjs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test as base, type Browser, type BrowserContext, type Page } from '@playwright/test'
import type { Relay } from '@driftless/relay'
import { startTestRelay } from '@driftless/testkit/support'

/** Where the root Playwright config serves the harness page (a free port it picks). */
export const HARNESS = process.env.DRIFTLESS_E2E_REPLICA_URL ?? 'http://127.0.0.1:5174/'

/** A real relay on a free port with SQLite in a temp dir; `restart` brings it back on the same port and file. */
export class TestRelay {
  #relay: Relay | undefined
  #port = 0
  readonly #dir = mkdtempSync(join(tmpdir(), 'driftless-replica-e2e-'))

  static async start(): Promise<TestRelay> {
    const relay = new TestRelay()
    await relay.restart()
    return relay
  }

  get url(): string {
    return `ws://127.0.0.1:${this.#port}`
  }

  get relay(): Relay {
    if (!this.#relay) throw new Error('the relay is stopped')
    return this.#relay
  }

  async restart(): Promise<void> {
    await this.stop()
    this.#relay = await startTestRelay({ port: this.#port, storage: { kind: 'sqlite', path: join(this.#dir, 'relay.db') } })
    this.#port = this.#relay.port
  }

  async stop(): Promise<void> {
    const relay = this.#relay
    this.#relay = undefined
    await relay?.close()
  }

  async dispose(): Promise<void> {
    await this.stop()
    rmSync(this.#dir, { recursive: true, force: true })
  }
}

/** Uncaught errors and unhandled rejections of every page opened since the last `takePageErrors()`. */
const pageErrors: string[] = []
const takePageErrors = (): string[] => pageErrors.splice(0)

/**
 * Playwright's `test` for the replica's browser tests: `relay` is a fresh relay per test (disposed after it),
 * and a test fails if any page it opened threw or left a promise rejection unhandled.
 */
export const test = base.extend<{ relay: TestRelay; failOnPageErrors: void }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixtures a fixture needs from this pattern
  relay: async ({}, use) => {
    const relay = await TestRelay.start()
    await use(relay)
    await relay.dispose()
  },
  failOnPageErrors: [
    // eslint-disable-next-line no-empty-pattern -- as above
    async ({}, use) => {
      takePageErrors()
      await use()
      expect(takePageErrors(), 'uncaught errors or unhandled rejections in the pages').toEqual([])
    },
    { auto: true },
  ],
})

export const openPage = async (context: BrowserContext): Promise<Page> => {
  const page = await context.newPage()
  page.on('pageerror', (error) => pageErrors.push(error.message))
  await page.goto(HARNESS)
  await page.waitForFunction(() => document.getElementById('ready')?.textContent === 'ready')
  return page
}

export interface OpenOptions {
  docId: string
  relay?: string | string[]
  channelPrefix: string
  compactAfter?: number
  durability?: 'strict' | 'relaxed'
  databaseName?: string
}

/** Opens a replica in the page under `name` and waits for it to load; errors are collected by code. */
export const openIn = (page: Page, name: string, options: OpenOptions): Promise<void> =>
  page.evaluate(([name, options]) => {
    const w = window as unknown as { replicas?: Record<string, unknown>; driftless: Window['driftless'] }
    const replica = w.driftless.openReplica({ ...options, heartbeat: { idleMs: 1_000, timeoutMs: 3_000 } })
    const errors: string[] = []
    replica.on('error', (error) => errors.push(error.code))
    ;(w.replicas ??= {})[name] = Object.assign(replica, { errors })
    return replica.loaded
  }, [name, options] as const)

/** Inserts `content` at the end of text `t` of replica `name`. */
export const edit = (page: Page, name: string, content: string): Promise<void> =>
  page.evaluate(([name, content]) => {
    const r = (window as unknown as { replicas: Record<string, { doc: Y.Doc }> }).replicas[name]!
    const text = r.doc.getText('t')
    text.insert(text.length, content)
  }, [name, content] as const)

export const textOf = (page: Page, name: string): Promise<string> =>
  page.evaluate((name) => (window as unknown as { replicas: Record<string, { doc: Y.Doc }> }).replicas[name]!.doc.getText('t').toString(), name)

/** Reads a property of replica `name` (status, pending, isLeader, errors). */
export const prop = <T>(page: Page, name: string, key: string): Promise<T> =>
  page.evaluate(([name, key]) => (window as unknown as { replicas: Record<string, Record<string, unknown>> }).replicas[name]![key], [name, key] as const) as Promise<T>

export const call = (page: Page, name: string, method: 'whenSaved' | 'whenSynced' | 'close' | 'connect' | 'disconnect'): Promise<void> =>
  page.evaluate(([name, method]) => {
    const r = (window as unknown as { replicas: Record<string, Record<string, () => unknown>> }).replicas[name]!
    return r[method]!() as Promise<void>
  }, [name, method] as const)

export const uniquePrefix = (): string => `t${Math.random().toString(36).slice(2)}`

/** Polls `read` until it equals `expected`. */
export const eventually = (read: () => Promise<unknown>, expected: unknown, timeout = 10_000): Promise<void> =>
  expect.poll(read, { timeout }).toEqual(expected)

/** A page in a separate browser context (another device) that reads the document from the relay. */
export const readFromRelay = async (browser: Browser, relayUrl: string, docId: string): Promise<{ page: Page; close(): Promise<void> }> => {
  const context = await browser.newContext()
  const page = await openPage(context)
  await openIn(page, 'reader', { docId, relay: relayUrl, channelPrefix: uniquePrefix() })
  return { page, close: () => context.close() }
}
