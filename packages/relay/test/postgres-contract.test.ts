import pg from 'pg'
import { afterAll, beforeAll } from 'vitest'
import { createPostgresStorage } from '../src/storage/postgres.js'
import { startPostgres, type PostgresServer } from './services/postgres-server.js'
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
    cleanup: async () => {
      const client = new pg.Client({ connectionString: server.url })
      await client.connect()
      try {
        await client.query(`DROP TABLE IF EXISTS ${table}, ${table}_tombstones`)
      } finally {
        await client.end()
      }
    },
  }
}, { persistent: true })
