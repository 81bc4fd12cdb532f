import { afterAll, beforeAll } from 'vitest'
import { createPostgresStorage } from '../src/storage/postgres.js'
import { dropTables, startPostgres, type PostgresServer } from './services/postgres-server.js'
import { runStorageContract } from '@driftless/relay/testing'

let server: PostgresServer
let tables = 0

beforeAll(async () => {
  server = await startPostgres()
})
afterAll(async () => {
  await server?.destroy()
})

runStorageContract('postgres', () => {
  const table = `contract${++tables}`
  const open = () => createPostgresStorage({ url: server.url, table, poolSize: 4 })
  return {
    storage: open(),
    reopen: async () => open(),
    cleanup: () => dropTables(server.url, [table, `${table}_tombstones`]),
  }
}, { persistent: true })
