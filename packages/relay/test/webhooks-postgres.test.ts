import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createRelay, type Relay } from '../src/index.js'
import { waitUntil } from '@driftless/testkit/support'
import { makeUpdate, TestClient } from './helpers.js'
import { startPostgres, type PostgresServer } from './services/postgres-server.js'
import { WebhookReceiver } from './webhook-receiver.js'

let server: PostgresServer
let hooks: WebhookReceiver
const relays: Relay[] = []
beforeAll(async () => {
  server = await startPostgres()
  hooks = await WebhookReceiver.start()
}, 60_000)
afterAll(async () => {
  for (const relay of relays) await relay.close()
  await hooks?.down()
  await server?.destroy()
})

describe('webhooks on PostgreSQL', () => {
  it('two relay nodes sharing the outbox deliver every event, each claimed by one node at a time', async () => {
    const url = await server.createDatabase('webhooks')
    const node = () => createRelay({
      port: 0, host: '127.0.0.1', logLevel: 'silent', storage: { kind: 'postgres', url, poolSize: 2 },
      webhookUrls: [hooks.url], webhookSecret: 's', webhookDebounceMs: 50,
      webhookDelivery: { retryBaseMs: 100, retryCapMs: 200, pollMs: 100 },
    })
    const a = await node()
    const b = await node()
    relays.push(a, b)
    const docs = Array.from({ length: 10 }, (_, i) => `pg-doc-${i}`)
    let ackId = 0
    for (const [i, docId] of docs.entries()) {
      const client = await TestClient.greeted((i % 2 === 0 ? a : b).url)
      await client.subscribe(docId)
      client.send({ type: 'update', docId, update: makeUpdate(docId, new Y.Doc()), ackId: ++ackId })
      await client.waitFor(m => m.type === 'ack' && m.ackId === ackId)
      client.close()
    }
    await waitUntil(() => new Set(hooks.delivered.map(event => event.docId)).size === docs.length, 15_000, 'every document')
    // SKIP LOCKED leases: no event was sent by both nodes.
    expect(hooks.requests).toHaveLength(docs.length)
    expect(new Set(hooks.requests.map(request => request.event.id)).size).toBe(docs.length)
  })
})
