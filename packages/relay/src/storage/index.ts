import { createMemoryStorage } from './memory.js'
import { createPostgresStorage, type PostgresStorageOptions } from './postgres.js'
import { createSqliteStorage, type SqliteStorageOptions } from './sqlite.js'
import type { RelayStorage } from './types.js'

/** Which built-in storage to use, or a ready `RelayStorage` object (e.g. the postgres adapter). */
export type StorageOption =
  | ({ kind: 'sqlite' } & SqliteStorageOptions)
  | { kind: 'memory' }
  | ({ kind: 'postgres' } & PostgresStorageOptions)
  | RelayStorage

const isStorage = (option: StorageOption): option is RelayStorage =>
  typeof (option as RelayStorage).append === 'function'

/** Builds the storage named by a `{ kind }` option; passes a custom `RelayStorage` through. */
export const createStorage = (option: StorageOption): RelayStorage => {
  if (isStorage(option)) return option
  switch (option.kind) {
    case 'sqlite':
      return createSqliteStorage(option)
    case 'memory':
      return createMemoryStorage()
    case 'postgres':
      return createPostgresStorage(option)
  }
}

export type { RelayStorage, StoredUpdate, PendingWrite, DocumentSummary, ListQuery, Tombstone } from './types.js'
export { createMemoryStorage, createSqliteStorage, type SqliteStorageOptions }
export { createPostgresStorage, type PostgresStorageOptions } from './postgres.js'
