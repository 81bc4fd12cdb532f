import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { waitUntil } from '@driftless/testkit/support'
import { createMemoryStorage, type Relay, type RelayBroker, type RelayStorage } from '../src/index.js'
import { startRelay, TestClient } from './helpers.js'

const relays: Relay[] = []
afterEach(async () => {
  for (const relay of relays.splice(0)) await relay.close()
})
const start = async (...args: Parameters<typeof startRelay>): Promise<Relay> => {
  const relay = await startRelay(...args)
  relays.push(relay)
  return relay
}

/** An in-process stand-in for Redis: brokers created from one bus see each other's updates. */
const createBus = () => {
  const subscribers = new Set<{ broker: RelayBroker; docId: string; onUpdate: (update: Uint8Array) => void }>()
  const calls: string[] = []
  const durable: string[] = []
  const broker = (): RelayBroker => {
    const self: RelayBroker = {
      async markDurable(docId) {
        durable.push(docId)
      },
      async publish(docId, update) {
        for (const subscriber of subscribers) if (subscriber.broker !== self && subscriber.docId === docId) subscriber.onUpdate(update)
      },
      async subscribe(docId, onUpdate) {
        calls.push(`subscribe ${docId}`)
        const entry = { broker: self, docId, onUpdate }
        subscribers.add(entry)
        return () => subscribers.delete(entry)
      },
      async close() {},
    }
    return self
  }
  return { broker, subscribers, calls, durable }
}

const itemsOf = async (storage: RelayStorage, docId: string): Promise<number[]> => {
  const doc = new Y.Doc()
  for (const row of await storage.load(docId)) Y.applyUpdate(doc, row.update)
  return doc.getArray<number>('n').toArray()
}

describe('multi-node seams', () => {
  it('fans updates out across nodes through the broker; only the accepting node stores them', async () => {
    const bus = createBus()
    const storage = createMemoryStorage()
    const calls = bus.calls
    const loggingStorage: RelayStorage = {
      ...storage,
      load: async docId => {
        calls.push(`load ${docId}`)
        return storage.load(docId)
      },
    }
    const one = await start({ storage: loggingStorage, broker: bus.broker() })
    const two = await start({ storage: loggingStorage, broker: bus.broker() })
    const a = await TestClient.greeted(one.url)
    const b = await TestClient.greeted(two.url)
    await a.subscribe('d')
    await b.subscribe('d')
    // Each node subscribes to the broker before it reads the document from storage.
    expect(calls.filter(call => call.endsWith(' d'))).toEqual(['subscribe d', 'load d', 'subscribe d', 'load d'])

    const doc = new Y.Doc()
    doc.getArray<number>('n').push([1])
    a.send({ type: 'update', docId: 'd', update: Y.encodeStateAsUpdate(doc), ackId: 1 })
    const received = await b.waitFor(m => m.type === 'update')
    const replica = new Y.Doc()
    if (received.type === 'update') Y.applyUpdate(replica, received.update)
    expect(replica.getArray('n').toArray()).toEqual([1])
    await a.waitFor(m => m.type === 'ack')
    expect(await storage.load('d')).toHaveLength(1)
    await waitUntil(() => bus.durable.includes('d'), 5000, 'markDurable after the commit')
    // A late subscriber on node two gets the update from node two's memory.
    const c = await TestClient.greeted(two.url)
    const step2 = await c.subscribe('d')
    const late = new Y.Doc()
    Y.applyUpdate(late, step2.update)
    expect(late.getArray('n').toArray()).toEqual([1])
    for (const client of [a, b, c]) client.close()
    await waitUntil(() => bus.subscribers.size === 0, 5000, 'broker subscriptions released with the rooms')
  })
})

describe('loading', () => {
  it('loads a document once for concurrent subscribers, and answers none of them before the load is done', async () => {
    const storage = createMemoryStorage()
    const doc = new Y.Doc()
    doc.getArray<number>('n').push([7])
    await storage.append([{ docId: 'slow', update: Y.encodeStateAsUpdate(doc) }])
    let loads = 0
    let release!: () => void
    const gate = new Promise<void>(resolve => (release = resolve))
    const relay = await start({
      storage: { ...storage, load: async docId => { loads++; await gate; return storage.load(docId) } },
    })
    const clients = await Promise.all([1, 2, 3].map(() => TestClient.greeted(relay.url)))
    const replies = clients.map(client => client.subscribe('slow'))
    await new Promise(resolve => setTimeout(resolve, 100))
    expect(clients.every(client => client.of('sync-step-2').length === 0)).toBe(true)
    release()
    for (const reply of replies) {
      const replica = new Y.Doc()
      Y.applyUpdate(replica, (await reply).update)
      expect(replica.getArray('n').toArray()).toEqual([7])
    }
    expect(loads).toBe(1)
    for (const client of clients) client.close()
  })
})

describe('compaction', () => {
  it('merges a document\'s log in the background once past the threshold, losing nothing', async () => {
    const storage = createMemoryStorage()
    const relay = await start({ storage, compactAfterRows: 20 })
    const client = await TestClient.greeted(relay.url)
    await client.subscribe('d')
    const doc = new Y.Doc()
    for (let i = 1; i <= 100; i++) {
      const before = Y.encodeStateVector(doc)
      doc.getArray<number>('n').push([i])
      client.send({ type: 'update', docId: 'd', update: Y.encodeStateAsUpdate(doc, before), ackId: i })
      // One at a time, so that each is its own transaction and row (one transaction's updates share a row).
      await client.waitFor(m => m.type === 'ack' && m.ackId === i)
    }
    await waitUntil(async () => (await storage.load('d')).length < 20, 10_000, 'compacted log')
    expect(await itemsOf(storage, 'd')).toEqual(Array.from({ length: 100 }, (_, i) => i + 1))
    expect(await relay.metrics.metrics()).toMatch(/driftless_compactions_total [1-9]/)
    // A fresh subscriber still gets everything.
    const reader = await TestClient.greeted(relay.url)
    const step2 = await reader.subscribe('d')
    const replica = new Y.Doc()
    Y.applyUpdate(replica, step2.update)
    expect(replica.getArray('n').length).toBe(100)
    client.close()
    reader.close()
  })

  it('compacts a large document after many more rows, losing nothing', async () => {
    const storage = createMemoryStorage()
    const doc = new Y.Doc()
    doc.getText('big').insert(0, 'x'.repeat(100_000))
    await storage.append([{ docId: 'big', update: Y.encodeStateAsUpdate(doc) }])
    const relay = await start({ storage, compactAfterRows: 4 })
    const client = await TestClient.greeted(relay.url)
    await client.subscribe('big')
    // 100 one-item rows are far less than twice 100 kB: only the row cap (25 × 4) makes it compact.
    for (let i = 1; i <= 100; i++) {
      const before = Y.encodeStateVector(doc)
      doc.getArray<number>('n').push([i])
      client.send({ type: 'update', docId: 'big', update: Y.encodeStateAsUpdate(doc, before), ackId: i })
      await client.waitFor(m => m.type === 'ack' && m.ackId === i)
    }
    await waitUntil(async () => (await storage.load('big')).length < 5, 10_000, 'compacted large log')
    expect(await itemsOf(storage, 'big')).toEqual(Array.from({ length: 100 }, (_, i) => i + 1))
    client.close()
  })

  it('compacts a long log found when a document is opened', async () => {
    const storage = createMemoryStorage()
    const doc = new Y.Doc()
    for (let i = 1; i <= 50; i++) {
      const before = Y.encodeStateVector(doc)
      doc.getArray<number>('n').push([i])
      await storage.append([{ docId: 'old', update: Y.encodeStateAsUpdate(doc, before) }])
    }
    const relay = await start({ storage, compactAfterRows: 10 })
    const client = await TestClient.greeted(relay.url)
    await client.subscribe('old')
    await waitUntil(async () => (await storage.load('old')).length === 1, 10_000, 'compacted on open')
    expect(await itemsOf(storage, 'old')).toHaveLength(50)
    client.close()
  })
})
