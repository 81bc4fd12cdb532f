import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createMemoryStorage, createSqliteStorage, StorageError } from '../src/index.js'
import { runStorageContract } from '@driftless/relay/testing'

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

describe('sqlite storage', () => {
  it('refuses a path it cannot open with a StorageError coded operationFailed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'driftless-sqlite-'))
    try {
      // The path is a directory: SQLite cannot open it as a database file.
      expect(() => createSqliteStorage({ path: dir })).toThrow(expect.objectContaining({ name: 'StorageError', code: 'operationFailed' }))
      expect(() => createSqliteStorage({ path: dir })).toThrow(StorageError)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
