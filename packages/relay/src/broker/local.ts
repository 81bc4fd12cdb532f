import { BrokerError } from '../adapter-errors.js'
import type { RelayBroker } from './types.js'

/** The single-node broker: there are no other nodes, so nothing to publish or receive. */
export const createLocalBroker = (): RelayBroker => {
  let closed = false
  const assertOpen = (): void => {
    if (closed) throw new BrokerError('closed', 'broker is closed')
  }
  return {
    async publish() {
      assertOpen()
    },
    async subscribe() {
      assertOpen()
      return () => {}
    },
    async close() {
      closed = true
    },
  }
}
