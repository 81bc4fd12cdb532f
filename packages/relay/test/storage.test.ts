import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createMemoryStorage, createSqliteStorage } from '../src/index.js'
import { runStorageContract } from './storage-contract.js'

runStorageContract('memory', () => ({ storage: createMemoryStorage() }))

runStorageContract('sqlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'driftless-sqlite-'))
  const path = join(dir, 'relay.db')
  return {
    storage: createSqliteStorage({ path }),
    reopen: async () => createSqliteStorage({ path }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  }
}, { persistent: true })
