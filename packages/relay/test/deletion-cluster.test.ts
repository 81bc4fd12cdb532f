import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorCode, type Message } from '@driftless/protocol'
import { startNode } from './services/cluster.js'
import { startPostgres, type PostgresServer } from './services/postgres-server.js'
import { startRedis, type RedisServer } from './services/redis-server.js'
import { makeUpdate, TestClient } from './helpers.js'

let pg: PostgresServer
let redis: RedisServer

beforeAll(async () => {
  ;[pg, redis] = await Promise.all([startPostgres(), startRedis()])
})
afterAll(async () => {
  await Promise.all([pg?.destroy(), redis?.destroy()])
})

const deleted = (docId: string, ackId = 0) => (m: Message): boolean =>
  m.type === 'error' && m.docId === docId && m.code === ErrorCode.documentDeleted && m.ackId === ackId

describe('deletion on two relay nodes (PostgreSQL + Redis)', { timeout: 60_000 }, () => {
  it('a delete on one node reaches subscribers on the other, and neither node takes the id again', async () => {
    const deployment = { pgUrl: pg.url, table: 'deletion_cluster', redisUrl: redis.url, keyPrefix: 'deletion:doc:' }
    const [a, b] = await Promise.all([startNode(deployment), startNode(deployment)])
    const onA = await TestClient.greeted(a.url)
    const onB = await TestClient.greeted(b.url)
    try {
      await onA.subscribe('shared')
      await onB.subscribe('shared')
      onB.send({ type: 'update', docId: 'shared', update: makeUpdate('from b'), ackId: 1 })
      await onB.waitFor(m => m.type === 'ack')
      await onA.waitFor(m => m.type === 'update' && m.docId === 'shared')

      await a.relay.deleteDocument('shared')
      await onA.waitFor(deleted('shared'))
      await onB.waitFor(deleted('shared'))
      expect(await b.storage.load('shared')).toEqual([])
      expect(b.relay.stats().openDocuments).toBe(0)

      // Offline edits arriving at either node afterwards are refused and not stored.
      for (const client of [onA, onB]) {
        const from = client.received.length
        client.send({ type: 'subscribe', docId: 'shared', stateVector: new Uint8Array([0]) })
        await client.waitFor(deleted('shared'), from)
        client.send({ type: 'sync-step-2', docId: 'shared', update: makeUpdate('resurrect?'), ackId: 9 })
        await client.waitFor(deleted('shared', 9), from)
      }
      expect(await a.storage.load('shared')).toEqual([])
    } finally {
      onA.close()
      onB.close()
      await Promise.all([a.close(), b.close()])
    }
  })
})
