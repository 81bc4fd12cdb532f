import { createHmac, timingSafeEqual } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createMemoryStorage, createSqliteStorage, verifyWebhook, type Relay, type RelayOptions } from '../src/index.js'
import { captureLogs } from './log-capture.js'
import { waitUntil } from '@driftless/testkit/support'
import { makeUpdate, startRelay, TestClient } from './helpers.js'
import { WebhookReceiver } from './webhook-receiver.js'

const SECRET = 'whsec-test'
/** Retries every 100–200 ms, so failure cases do not make the suite slow. */
const FAST: RelayOptions['webhookDelivery'] = { retryBaseMs: 200, retryCapMs: 200, pollMs: 100 }

const relays: Relay[] = []
const receivers: WebhookReceiver[] = []
const clients: TestClient[] = []
const dirs: string[] = []
afterEach(async () => {
  for (const client of clients.splice(0)) client.close()
  for (const relay of relays.splice(0)) await relay.close()
  for (const receiver of receivers.splice(0)) await receiver.down()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const receiver = async (): Promise<WebhookReceiver> => {
  const started = await WebhookReceiver.start()
  receivers.push(started)
  return started
}

const start = async (urls: string[], options: RelayOptions = {}) => {
  const logs = captureLogs()
  const relay = await startRelay({
    webhookUrls: urls, webhookSecret: SECRET, webhookDebounceMs: 100, webhookDelivery: FAST, logger: logs.logger, ...options,
  })
  relays.push(relay)
  const client = await TestClient.greeted(relay.url)
  clients.push(client)
  return { relay, client, logs: logs.lines }
}

let ackIds = 0
/** Writes one update and waits for its ack. */
const write = async (client: TestClient, docId: string, doc = new Y.Doc()): Promise<void> => {
  const ackId = ++ackIds
  const from = client.received.length
  client.send({ type: 'update', docId, update: makeUpdate('x', doc), ackId })
  const reply = await client.waitFor(m => (m.type === 'ack' || m.type === 'error') && m.ackId === ackId, from)
  expect(reply.type).toBe('ack')
}

const metric = async (relay: Relay, result: string): Promise<number> => {
  const values = (await relay.metrics.getSingleMetric('driftless_webhook_deliveries_total')!.get()).values
  return values.find(value => value.labels['result'] === result)?.value ?? 0
}

const sqlite = (): RelayOptions['storage'] => {
  const dir = mkdtempSync(join(tmpdir(), 'driftless-webhooks-'))
  dirs.push(dir)
  return { kind: 'sqlite', path: join(dir, 'relay.db') }
}

describe('webhooks', () => {
  it('POSTs signed document.changed events, coalesced per document', async () => {
    const hooks = await receiver()
    const { client } = await start([hooks.url], { webhookDebounceMs: 2000, storage: sqlite() })
    await client.subscribe('a')
    await client.subscribe('b')
    const doc = new Y.Doc()
    // Ten changes well within one window: one event.
    await Promise.all([...Array.from({ length: 10 }, () => write(client, 'a', doc)), write(client, 'b')])
    await waitUntil(() => hooks.delivered.length === 2, 10_000, 'two events')
    const events = hooks.delivered
    expect(events.map(event => event.docId).sort()).toEqual(['a', 'b'])
    for (const event of events) {
      expect(event).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), type: 'document.changed', docId: event.docId, at: expect.any(String) })
      expect(Date.parse(event.at)).toBeGreaterThan(Date.now() - 60_000)
    }
    for (const request of hooks.requests) {
      expect(request.headers['content-type']).toBe('application/json')
      expect(request.headers['x-driftless-event-id']).toBe(request.event.id)
      expect(verifyWebhook(SECRET, request.body, request.headers['x-driftless-signature'])).toBe(true)
      expect(verifyWebhook('another secret', request.body, request.headers['x-driftless-signature'])).toBe(false)
      expect(verifyWebhook(SECRET, `${request.body} `, request.headers['x-driftless-signature'])).toBe(false)
      // What the README tells receivers to do, with nothing but node:crypto.
      const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(request.body).digest('hex')}`)
      const given = Buffer.from(String(request.headers['x-driftless-signature']))
      expect(given.length === expected.length && timingSafeEqual(given, expected)).toBe(true)
    }
    // A change after the event went out is a new event.
    await write(client, 'a', doc)
    await waitUntil(() => hooks.delivered.length === 3, 10_000, 'a third event')
    expect(hooks.delivered[2]!.docId).toBe('a')
    expect(new Set(hooks.delivered.map(event => event.id)).size).toBe(3)
  })

  it('sends each event to every URL', async () => {
    const one = await receiver()
    const two = await receiver()
    const { client } = await start([one.url, two.url])
    await client.subscribe('a')
    await write(client, 'a')
    await waitUntil(() => one.delivered.length === 1 && two.delivered.length === 1, 10_000, 'both receivers')
    expect(one.delivered[0]!.docId).toBe('a')
    expect(two.delivered[0]!.docId).toBe('a')
  })

  it('retries an event answered with 500, with the same id, until it is accepted', async () => {
    const hooks = await receiver()
    hooks.mode = 'error500'
    const { relay, client, logs } = await start([hooks.url])
    await client.subscribe('a')
    await write(client, 'a')
    await waitUntil(() => hooks.requests.length >= 3, 10_000, 'three failed attempts')
    hooks.mode = 'ok'
    await waitUntil(() => hooks.delivered.length === 1, 10_000, 'delivery')
    // The receiver has the event before the relay has read its answer: wait for the relay to count it.
    await waitUntil(async () => (await metric(relay, 'delivered')) === 1, 10_000, 'the delivery counted')
    expect(new Set(hooks.requests.map(request => request.event.id)).size).toBe(1)
    expect(await metric(relay, 'failed')).toBeGreaterThanOrEqual(3)
    expect(logs.find(line => line['msg'] === 'webhook delivery failed; will retry')).toMatchObject({ failure: 'HTTP 500', docId: 'a' })
  })

  it('POSTs a signed document.deleted event for a deleted document, written with its tombstone', async () => {
    const hooks = await receiver()
    const { relay, client } = await start([hooks.url], { storage: sqlite() })
    await client.subscribe('doomed')
    await write(client, 'doomed')
    await waitUntil(() => hooks.delivered.some(event => event.type === 'document.changed'), 10_000, 'the change event')
    await relay.deleteDocument('doomed')
    await waitUntil(() => hooks.delivered.some(event => event.type === 'document.deleted'), 10_000, 'the deletion event')
    const request = hooks.requests.find(r => r.event.type === 'document.deleted')!
    expect(request.event).toMatchObject({ type: 'document.deleted', docId: 'doomed' })
    expect(verifyWebhook(SECRET, request.body, request.headers['x-driftless-signature'])).toBe(true)
  })

  it('retries an event answered with bytes that are not HTTP', async () => {
    const hooks = await receiver()
    hooks.mode = 'garbage'
    const { client, logs } = await start([hooks.url])
    await client.subscribe('a')
    await write(client, 'a')
    await waitUntil(() => hooks.requests.length >= 2, 10_000, 'two garbage answers')
    hooks.mode = 'ok'
    await waitUntil(() => hooks.delivered.length === 1, 10_000, 'delivery')
    expect(new Set(hooks.requests.map(request => request.event.id)).size).toBe(1)
    expect(logs.some(line => line['msg'] === 'webhook delivery failed; will retry')).toBe(true)
  })

  it('a receiver down for 10 s blocks no commit, and gets every event once it is back', async () => {
    const hooks = await receiver()
    await hooks.down()
    const { relay, client } = await start([hooks.url], { storage: sqlite(), webhookDelivery: { retryBaseMs: 250, retryCapMs: 2000, pollMs: 500 } })
    const docs = Array.from({ length: 20 }, (_, i) => `doc-${i}`)
    const downSince = Date.now()
    for (const docId of docs) {
      await client.subscribe(docId)
      await write(client, docId)
    }
    // Every write was acknowledged while no receiver listened: commits do not wait for deliveries.
    await waitUntil(async () => (await metric(relay, 'failed')) >= docs.length, 10_000, 'failed attempts')
    await new Promise(resolve => setTimeout(resolve, Math.max(0, 10_000 - (Date.now() - downSince))))
    await write(client, docs[0]!)
    await hooks.up()
    await waitUntil(() => new Set(hooks.delivered.map(event => event.docId)).size === docs.length, 15_000, 'every document')
    expect(await metric(relay, 'dropped')).toBe(0)
  }, 40_000)

  it('drops an event still failing at the end of its retry horizon, and says so', async () => {
    const hooks = await receiver()
    hooks.mode = 'error500'
    const { relay, client, logs } = await start([hooks.url], {
      storage: createMemoryStorage(), webhookDelivery: { ...FAST, retryHorizonMs: 800 },
    })
    await client.subscribe('a')
    await write(client, 'a')
    await waitUntil(async () => (await metric(relay, 'dropped')) === 1, 10_000, 'the drop')
    const attempts = hooks.requests.length
    expect(attempts).toBeGreaterThanOrEqual(2)
    expect(logs.find(line => line['msg'] === 'webhook dropped: still failing at the end of its retry horizon')).toMatchObject({ docId: 'a' })
    hooks.mode = 'ok'
    await new Promise(resolve => setTimeout(resolve, 600))
    expect(hooks.requests.length).toBe(attempts)
  })

  it('refuses a storage without an outbox, and URLs that are not http(s)', async () => {
    const memory = createMemoryStorage()
    const { outbox: _outbox, ...withoutOutbox } = memory
    await expect(startRelay({ webhookUrls: ['http://127.0.0.1:1/x'], storage: withoutOutbox })).rejects.toMatchObject({ name: 'WebhookConfigError' })
    await expect(startRelay({ webhookUrls: ['ftp://example.com/x'] })).rejects.toMatchObject({ name: 'WebhookConfigError', code: 'invalidWebhookOption' })
    await memory.close()
  })

  it('an outbox entry commits with the update: a storage failure writes neither', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'driftless-webhooks-'))
    dirs.push(dir)
    const storage = createSqliteStorage({ path: join(dir, 'relay.db') })
    await storage.append([{ docId: 'a', update: makeUpdate('x') }], {
      outbox: [{ eventId: 'e1', target: 'http://x.test/', type: 'document.changed', docId: 'a', createdAt: 1, dueAt: 1 }],
    })
    // A NOT NULL violation in the outbox part fails the whole transaction.
    await expect(storage.append([{ docId: 'b', update: makeUpdate('y') }], {
      outbox: [{ eventId: null as unknown as string, target: 'http://x.test/', type: 'document.changed', docId: 'b', createdAt: 1, dueAt: 1 }],
    })).rejects.toThrow()
    expect(await storage.load('b')).toEqual([])
    expect((await storage.outbox!.claim(10, 10, 1000, ['http://x.test/'])).map(e => e.docId)).toEqual(['a'])
    await storage.close()
  })
})
