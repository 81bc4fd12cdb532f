import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { awarenessQuery, ErrorCode } from '@driftless/protocol'
import { createMemoryStorage, type Relay } from '../src/index.js'
import { makeUpdate, startRelay, TestClient } from './helpers.js'

let relay: Relay | undefined
afterEach(async () => {
  await relay?.close()
  relay = undefined
})

describe('the conversation', () => {
  it('answers hello with welcome and ping with pong', async () => {
    relay = await startRelay()
    const client = await TestClient.greeted(relay.url)
    expect(client.received[0]).toEqual({ type: 'welcome', version: 1, expiresAt: 0 })
    client.send({ type: 'ping', nonce: 42 })
    expect(await client.waitFor(m => m.type === 'pong')).toEqual({ type: 'pong', nonce: 42 })
    client.close()
  })

  it('sends a document over 64 KiB whole in one step 2 (written in parts), then step 1 and later frames in order', async () => {
    relay = await startRelay()
    const writer = await TestClient.greeted(relay.url)
    await writer.subscribe('big')
    const source = new Y.Doc()
    source.getText('t').insert(0, 'x'.repeat(200_000))
    writer.send({ type: 'update', docId: 'big', update: Y.encodeStateAsUpdate(source), ackId: 1 })
    await writer.waitFor(m => m.type === 'ack' && m.ackId === 1)
    const reader = await TestClient.greeted(relay.url)
    const step2 = await reader.subscribe('big')
    expect(step2.update).toEqual(Y.encodeStateAsUpdate(source))
    {
      reader.send({ type: 'ping', nonce: 7 })
      expect(await reader.waitFor(m => m.type === 'pong')).toEqual({ type: 'pong', nonce: 7 })

    }
    expect(reader.received.findIndex(m => m.type === 'sync-step-1')).toBeGreaterThan(reader.received.indexOf(step2))
    writer.close()
    reader.close()
  })

  it('answers subscribe with step 2 (exactly the diff), then its step 1', async () => {
    relay = await startRelay()
    const writer = await TestClient.greeted(relay.url)
    await writer.subscribe('doc')
    const source = new Y.Doc()
    writer.send({ type: 'update', docId: 'doc', update: makeUpdate('hello', source), ackId: 1 })
    await writer.waitFor(m => m.type === 'ack' && m.ackId === 1)

    const replica = new Y.Doc()
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(source))
    source.getText('t').insert(5, ' world')
    writer.send({ type: 'update', docId: 'doc', update: Y.encodeStateAsUpdate(source, Y.encodeStateVector(replica)), ackId: 2 })
    await writer.waitFor(m => m.type === 'ack' && m.ackId === 2)

    const reader = await TestClient.greeted(relay.url)
    const step2 = await reader.subscribe('doc', replica)
    expect(step2.update).toEqual(Y.diffUpdate(Y.encodeStateAsUpdate(source), Y.encodeStateVector(replica)))
    Y.applyUpdate(replica, step2.update)
    expect(replica.getText('t').toString()).toBe('hello world')
    const step1 = await reader.waitFor(m => m.type === 'sync-step-1')
    expect(step1.type === 'sync-step-1' && step1.stateVector).toEqual(Y.encodeStateVector(source))
    writer.close()
    reader.close()
  })

  it('fans updates out to the other subscribers at once and acks the sender', async () => {
    relay = await startRelay()
    const a = await TestClient.greeted(relay.url)
    const b = await TestClient.greeted(relay.url)
    await a.subscribe('doc')
    await b.subscribe('doc')
    const update = makeUpdate('x')
    a.send({ type: 'update', docId: 'doc', update, ackId: 7 })
    const forwarded = await b.waitFor(m => m.type === 'update')
    expect(forwarded).toEqual({ type: 'update', docId: 'doc', update, ackId: 0 })
    expect(await a.waitFor(m => m.type === 'ack')).toEqual({ type: 'ack', docId: 'doc', ackId: 7 })
    expect(a.of('update')).toHaveLength(0)
    a.close()
    b.close()
  })

  it('forwards awareness and announces its removal when the owner leaves', async () => {
    relay = await startRelay()
    const a = await TestClient.greeted(relay.url)
    const b = await TestClient.greeted(relay.url)
    await a.subscribe('doc')
    await b.subscribe('doc')
    const { Awareness, encodeAwarenessUpdate } = await import('y-protocols/awareness')
    const doc = new Y.Doc()
    const awareness = new Awareness(doc)
    awareness.setLocalState({ name: 'ada' })
    a.send({ type: 'awareness', docId: 'doc', update: encodeAwarenessUpdate(awareness, [doc.clientID]) })
    await b.waitFor(m => m.type === 'awareness')
    const c = await TestClient.greeted(relay.url)
    await c.subscribe('doc')
    const snapshot = await c.waitFor(m => m.type === 'awareness')
    const peer = new Awareness(new Y.Doc())
    const { applyAwarenessUpdate } = await import('y-protocols/awareness')
    if (snapshot.type === 'awareness') applyAwarenessUpdate(peer, snapshot.update, 'relay')
    expect(peer.getStates().get(doc.clientID)).toEqual({ name: 'ada' })
    const before = b.received.length
    a.close()
    await b.waitFor(m => m.type === 'awareness', before)
    const removal = b.of('awareness').at(-1)!
    applyAwarenessUpdate(peer, removal.update, 'relay')
    expect(peer.getStates().has(doc.clientID)).toBe(false)
    awareness.destroy()
    b.close()
    c.close()
  })

  it('answers an awareness update with no entries (a query) with every state it holds, readers included', async () => {
    relay = await startRelay({ auth: { secret: 'query-secret' } })
    const { signToken } = await import('../src/index.js')
    const writer = await TestClient.greeted(relay.url, await signToken({ secret: 'query-secret', docs: { doc: 'write' } }))
    const reader = await TestClient.greeted(relay.url, await signToken({ secret: 'query-secret', docs: { doc: 'read' } }))
    await writer.subscribe('doc')
    await reader.subscribe('doc')
    const { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } = await import('y-protocols/awareness')
    const doc = new Y.Doc()
    const awareness = new Awareness(doc)
    awareness.setLocalState({ name: 'ada' })
    writer.send({ type: 'awareness', docId: 'doc', update: encodeAwarenessUpdate(awareness, [doc.clientID]) })
    await reader.waitFor(m => m.type === 'awareness')
    const before = reader.received.length
    reader.send({ type: 'awareness', docId: 'doc', update: awarenessQuery() })
    const answer = await reader.waitFor(m => m.type === 'awareness', before)
    const peer = new Awareness(new Y.Doc())
    if (answer.type === 'awareness') applyAwarenessUpdate(peer, answer.update, 'relay')
    expect(peer.getStates().get(doc.clientID)).toEqual({ name: 'ada' })
    expect(reader.of('error')).toEqual([])
    // Nobody else hears a query.
    writer.send({ type: 'ping', nonce: 1 })
    await writer.waitFor(m => m.type === 'pong')
    expect(writer.of('awareness')).toEqual([])
    awareness.destroy()
    peer.destroy()
    writer.close()
    reader.close()
  })

  it('refuses messages for documents not subscribed, and invalid updates, with typed errors', async () => {
    relay = await startRelay()
    const client = await TestClient.greeted(relay.url)
    client.send({ type: 'update', docId: 'other', update: makeUpdate('x'), ackId: 3 })
    expect(await client.waitFor(m => m.type === 'error')).toMatchObject({ code: ErrorCode.notSubscribed, ackId: 3, docId: 'other' })
    await client.subscribe('doc')
    client.send({ type: 'update', docId: 'doc', update: new Uint8Array([1, 2, 3, 4, 5]), ackId: 4 })
    expect(await client.waitFor(m => m.type === 'error' && m.ackId === 4)).toMatchObject({ code: ErrorCode.invalidUpdate })
    client.close()
  })

  it('answers storageFailure with the ackId when a commit fails, and acks once storage recovers', async () => {
    const memory = createMemoryStorage()
    let failing = true
    relay = await startRelay({
      storage: { ...memory, append: writes => (failing ? Promise.reject(new Error('disk full')) : memory.append(writes)) },
    })
    const client = await TestClient.greeted(relay.url)
    await client.subscribe('doc')
    const update = makeUpdate('retry me')
    client.send({ type: 'update', docId: 'doc', update, ackId: 11 })
    expect(await client.waitFor(m => m.type === 'error')).toMatchObject({ code: ErrorCode.storageFailure, ackId: 11, docId: 'doc' })
    expect(client.of('ack')).toEqual([])
    failing = false
    client.send({ type: 'update', docId: 'doc', update, ackId: 12 })
    await client.waitFor(m => m.type === 'ack' && m.ackId === 12)
    // Stored once by the relay's own retry and once more by the resend: Yjs updates are idempotent.
    const stored = new Y.Doc()
    for (const row of await memory.load('doc')) Y.applyUpdate(stored, row.update)
    expect(stored.getText('t').toString()).toBe('retry me')
    client.close()
  })
})
