import { runBrokerContract } from '@driftless/relay/testing'
import { createLocalBroker } from '../src/index.js'

runBrokerContract('local', () => ({ openNode: () => createLocalBroker() }), { fansOut: false })
