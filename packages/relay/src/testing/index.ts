/**
 * `@driftless/relay/testing`: the acceptance suites every storage adapter and broker must pass, for the
 * authors of custom ones. They register vitest tests (vitest is an optional peer dependency of this entry).
 */
export { runStorageContract, type StorageFixture, type StorageContractOptions } from './storage-contract.js'
export { runBrokerContract, type BrokerFixture, type BrokerContractOptions, type CuttableNode } from './broker-contract.js'
export { runOutboxContract, type OutboxFixture } from './outbox-contract.js'
