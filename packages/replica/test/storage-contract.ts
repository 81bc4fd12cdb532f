import { describe, it } from 'vitest'
import { storageContract, type StorageAdapter } from '../src/index.js'

/** Runs the shared storage acceptance suite against one adapter kind. */
export const runStorageContract = (label: string, open: () => Promise<StorageAdapter> | StorageAdapter): void => {
  describe(`storage contract: ${label}`, () => {
    for (const check of storageContract(open)) it(check.name, () => check.run())
  })
}
