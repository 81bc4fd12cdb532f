import type { RelayBroker } from './types.js'

/** The single-node broker: there are no other nodes, so nothing to publish or receive. */
export const createLocalBroker = (): RelayBroker => ({
  async publish() {},
  async subscribe() {
    return () => {}
  },
  async close() {},
})
