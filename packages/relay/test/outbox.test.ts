import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { createMemoryStorage, createPostgresStorage, createSqliteStorage } from '../src/index.js'
import { runOutboxContract } from '../src/testing/index.js'
import { dropTables, startPostgres, type PostgresServer } from './services/postgres-server.js'

runOutboxContract('memory', () => ({ storage: createMemoryStorage() }))

runOutboxContract('sqlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'driftless-outbox-'))
  const path = join(dir, 'relay.db')
  return {
    storage: createSqliteStorage({ path }),
    reopen: async () => createSqliteStorage({ path }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  }
})

let server: PostgresServer
let tables = 0
beforeAll(async () => {
  server = await startPostgres()
}, 60_000)
afterAll(async () => {
  await server?.destroy()
})

runOutboxContract('postgres', () => {
  const n = ++tables
  const open = () => createPostgresStorage({ url: server.url, table: `outbox_updates${n}`, outboxTable: `outbox${n}`, poolSize: 2 })
  return {
    storage: open(),
    reopen: async () => open(),
    cleanup: () => dropTables(server.url, [`outbox_updates${n}`, `outbox${n}`, `outbox_updates${n}_tombstones`]),
  }
})
