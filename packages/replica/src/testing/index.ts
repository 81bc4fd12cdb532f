import type { StorageAdapter } from '../storage/types.js'
import { storageContract } from './storage-contract.js'

export { storageContract } from './storage-contract.js'
export type { StorageContractCase } from './storage-contract.js'

/** The `describe` and `it` of a test runner: vitest, Jest, Mocha and `node:test` all fit. */
export interface TestRunner {
  describe(name: string, body: () => void): unknown
  it(name: string, body: () => Promise<void>): unknown
}

/**
 * Registers the storage contract as one test per case with your runner. `open` returns a fresh adapter on an
 * empty store; called twice within one case it must return two adapters over the same store (two tabs).
 * @example runStorageContract('my adapter', () => createMyStorage(), { describe, it })
 */
export const runStorageContract = (
  label: string,
  open: () => Promise<StorageAdapter> | StorageAdapter,
  { describe, it }: TestRunner,
): void => {
  describe(`storage contract: ${label}`, () => {
    for (const check of storageContract(open)) it(check.name, () => check.run())
  })
}
