import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { ErrorCode, type Message } from '@driftless/protocol'
import { createMemoryStorage, type Relay, type RelayStorage } from '../src/index.js'
import { GatedStorage } from './gated-storage.js'
import { TestClient, makeUpdate, startRelay } from './helpers.js'

/**
 * The ack contract: an ack (for an update, a sync-step-2, an empty update) goes out only once everything the
 * client sent and everything the relay told it it holds is durable. These tests force the slow commit with a
 * storage whose `append` waits for the test, never with timing.
 */

const relays: Relay[] = []
const clients: TestClient[] = []
const gates: GatedStorage[] = []
afterEach(async () => {
  for (const client of clients.splice(0)) client.close()
  await Promise.all(gates.splice(0).map(gate => gate.release()))
  await Promise.all(relays.splice(0).map(relay => relay.close()))
})

const start = async (storage: RelayStorage): Promise<Relay> => {
  if (storage instanceof GatedStorage) gates.push(storage)
  const relay = await startRelay({ storage })
  relays.push(relay)
  return relay
}
const connect = async (relay: Relay): Promise<TestClient> => {
  const client = await TestClient.greeted(relay.url)
  clients.push(client)
  return client
}

/** The text `t` of what durable storage holds for `docId`. */
const durableText = async (storage: GatedStorage, docId: string): Promise<string> => {
  const doc = new Y.Doc()
  for (const row of await storage.durable.load(docId)) Y.applyUpdate(doc, row.update)
  return doc.getText('t').toString()
}

const isAck = (ackId: number) => (m: Message): boolean => m.type === 'ack' && m.ackId === ackId

/** Yields to the event loop until the relay has had every chance to answer. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise(resolve => setTimeout(resolve, 10))
}

describe('what an ack means', () => {
  it('an empty sync-step-2 after a reconnect is not acknowledged before the update it relies on is committed', async () => {
    const storage = new GatedStorage()
    const relay = await start(storage)
    const doc = new Y.Doc()
    const first = await connect(relay)
    await first.subscribe('doc', doc)

    // The client's update is accepted and fanned out, but its commit is held back.
    storage.hold()
    first.send({ type: 'update', docId: 'doc', update: makeUpdate('kept', doc), ackId: 1 })
    await settle()
    expect(storage.waiting).toBe(1)
    first.close()

    // It reconnects: the relay's reply already holds the update, so the client has nothing to send.
    const second = await connect(relay)
    const reply = await second.subscribe('doc', doc)
    expect(reply.update).toEqual(new Uint8Array([0, 0]))
    second.send({ type: 'sync-step-2', docId: 'doc', update: new Uint8Array([0, 0]), ackId: 2 })
    await settle()
    expect(second.of('ack')).toEqual([])

    await storage.release()
    await second.waitFor(isAck(2))
    expect(await durableText(storage, 'doc')).toBe('kept')
  })

  it('after a restart, an empty handshake is not acknowledged while another writer\'s re-push of the same change commits', async () => {
    const storage = new GatedStorage()
    const relay = await start(storage)
    const writer = new Y.Doc()
    const writerUpdate = makeUpdate('from the writer', writer)
    // Another device received the writer's change before the relay restarted, and pushes it first.
    storage.hold()
    const other = await connect(relay)
    await other.subscribe('doc')
    other.send({ type: 'sync-step-2', docId: 'doc', update: writerUpdate, ackId: 1 })
    await settle()

    const own = await connect(relay)
    const reply = await own.subscribe('doc', writer)
    expect(reply.update).toEqual(new Uint8Array([0, 0]))
    own.send({ type: 'sync-step-2', docId: 'doc', update: new Uint8Array([0, 0]), ackId: 7 })
    await settle()
    expect(own.of('ack')).toEqual([])

    // kill -9 before the commit: the writer was never told its change is safe, and it was not.
    storage.crash()
    await settle()
    expect(own.of('ack')).toEqual([])
    expect(await durableText(storage, 'doc')).toBe('')
  })

  it('a failed commit is retried by the relay: acks that rely on it wait, and nothing it fanned out is lost', async () => {
    const memory = createMemoryStorage()
    let failures = 2
    const storage: RelayStorage = {
      ...memory,
      append: writes => (failures-- > 0 ? Promise.reject(new Error('disk full')) : memory.append(writes)),
    }
    const relay = await start(storage)
    const doc = new Y.Doc()
    const writer = await connect(relay)
    await writer.subscribe('doc', doc)
    writer.send({ type: 'update', docId: 'doc', update: makeUpdate('retried', doc), ackId: 1 })
    expect(await writer.waitFor(m => m.type === 'error')).toMatchObject({ code: ErrorCode.storageFailure, ackId: 1 })
    writer.close()

    // A device that got the change from the relay's memory has nothing to send; its ack waits for the retry.
    const other = await connect(relay)
    const reply = await other.subscribe('doc', doc)
    expect(reply.update).toEqual(new Uint8Array([0, 0]))
    other.send({ type: 'sync-step-2', docId: 'doc', update: new Uint8Array([0, 0]), ackId: 5 })
    await other.waitFor(isAck(5))
    const stored = new Y.Doc()
    for (const row of await memory.load('doc')) Y.applyUpdate(stored, row.update)
    expect(stored.getText('t').toString()).toBe('retried')
  })
})
