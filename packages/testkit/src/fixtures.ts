import { test as base } from '@playwright/test'
import { openClientsWith, type Client, type OpenClientsOptions } from './clients.js'
import { startRelay, type RelayProcess, type RelayProcessOptions } from './relay-process.js'

/** Fixtures added by {@link test}. */
export interface DriftlessFixtures {
  /** A real relay process on port 0 with a fresh data directory, stopped after the test. */
  relay: RelayProcess
  /**
   * Opens `count` devices (isolated browser contexts), each with `options.tabs` tabs on the app URL, each
   * device reaching the relay through its own proxy. Closed after the test.
   */
  openClients: (count: number, options?: OpenClientsOptions) => Promise<Client[]>
}

/** Options settable with `test.use({ ... })`. */
export interface DriftlessOptions {
  /** How the `relay` fixture starts the relay. @default {} */
  relayOptions: RelayProcessOptions
}

/** Playwright's `test` with the `relay` and `openClients` fixtures. */
export const test = base.extend<DriftlessFixtures & DriftlessOptions>({
  relayOptions: [{}, { option: true }],
  relay: async ({ relayOptions }, use) => {
    const relay = await startRelay(relayOptions)
    try {
      await use(relay)
    } finally {
      await relay.dispose()
    }
  },
  openClients: async ({ browser, relay, baseURL }, use) => {
    const opened: Client[] = []
    await use(async (count, options = {}) => {
      const clients = await openClientsWith(browser, () => relay.createProxy(), count, options, { baseURL })
      opened.push(...clients)
      return clients
    })
    await Promise.all(opened.map((client) => client.context.close()))
  },
})

export { expect } from '@playwright/test'
