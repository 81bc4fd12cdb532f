import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import { waitUntil } from '@driftless/testkit/support'
import { createMemoryStorage, signToken, type Relay } from '../src/index.js'
import { startRelay, TestClient } from './helpers.js'

let relay: Relay | undefined
const providers: WebsocketProvider[] = []
afterEach(async () => {
  for (const provider of providers.splice(0)) provider.destroy()
  await relay?.close()
  relay = undefined
})

const provider = (url: string, room: string, doc: Y.Doc, params: Record<string, string> = {}): WebsocketProvider => {
  const created = new WebsocketProvider(url, room, doc, { WebSocketPolyfill: WebSocket as never, disableBc: true, params })
  providers.push(created)
  return created
}

const textOf = (updates: readonly { update: Uint8Array }[]): string => {
  const doc = new Y.Doc()
  for (const { update } of updates) Y.applyUpdate(doc, update)
  return doc.getText('t').toString()
}

describe('y-websocket clients', () => {
  it('sync both ways with a Driftless client of the same document, and their updates are stored', async () => {
    const storage = createMemoryStorage()
    relay = await startRelay({ storage })
    const driftlessDoc = new Y.Doc()
    const client = await TestClient.greeted(relay.url)
    await client.subscribe('shared room')
    driftlessDoc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== 'relay') client.send({ type: 'update', docId: 'shared room', update, ackId: 1 })
    })
    driftlessDoc.getText('t').insert(0, 'from driftless;')
    await client.waitFor(m => m.type === 'ack')

    const yDoc = new Y.Doc()
    const yProvider = provider(relay.url, 'shared room', yDoc)
    await waitUntil(() => yProvider.synced, 10_000, 'y-websocket synced')
    await waitUntil(() => yDoc.getText('t').toString() === 'from driftless;', 10_000, 'driftless text at y-websocket')

    yDoc.getText('t').insert(0, 'from y-websocket;')
    await client.waitFor(m => m.type === 'update')
    for (const message of client.of('update')) Y.applyUpdate(driftlessDoc, message.update, 'relay')
    expect(driftlessDoc.getText('t').toString()).toBe(yDoc.getText('t').toString())
    expect(driftlessDoc.getText('t').toString()).toContain('from y-websocket;')

    // Live updates from the Driftless side reach y-websocket too.
    driftlessDoc.getText('t').insert(driftlessDoc.getText('t').length, 'more')
    await waitUntil(() => yDoc.getText('t').toString() === driftlessDoc.getText('t').toString(), 10_000, 'live update')
    await waitUntil(async () => textOf(await storage.load('shared room')) === yDoc.getText('t').toString(), 10_000, 'stored')
    client.close()
  })

  it('two y-websocket clients sync through the relay and share awareness', async () => {
    relay = await startRelay()
    const a = new Y.Doc()
    const b = new Y.Doc()
    const pa = provider(relay.url, 'r', a)
    const pb = provider(relay.url, 'r', b)
    a.getText('t').insert(0, 'A')
    b.getText('t').insert(0, 'B')
    pa.awareness.setLocalState({ name: 'a' })
    await waitUntil(() => a.getText('t').toString().length === 2 && b.getText('t').toString() === a.getText('t').toString(), 10_000, 'converged')
    await waitUntil(() => (pb.awareness.getStates().get(a.clientID) as { name?: string } | undefined)?.name === 'a', 10_000, 'awareness')
  })

  it('checks the ?token= of y-websocket clients: refused without, read-only tokens cannot write', async () => {
    const secret = 'test-secret'
    const storage = createMemoryStorage()
    relay = await startRelay({ storage, auth: { secret } })
    const refused = await TestClient.connect(`${relay.url}/doc`, { protocol: null }).then(() => 'open', (error: Error) => error.message)
    expect(refused).toBe('HTTP 401')
    const wrongDoc = await signToken({ secret, docs: { other: 'write' } })
    const forbidden = await TestClient.connect(`${relay.url}/doc?token=${wrongDoc}`, { protocol: null }).then(() => 'open', (error: Error) => error.message)
    expect(forbidden).toBe('HTTP 403')

    const writer = new Y.Doc()
    const reader = new Y.Doc()
    const pw = provider(relay.url, 'doc', writer, { token: await signToken({ secret, docs: { doc: 'write' } }) })
    const pr = provider(relay.url, 'doc', reader, { token: await signToken({ secret, docs: { 'd*': 'read' } }) })
    await waitUntil(() => pw.synced && pr.synced, 10_000, 'synced')
    writer.getText('t').insert(0, 'ok')
    await waitUntil(() => reader.getText('t').toString() === 'ok', 10_000, 'reader sees writes')
    reader.getText('t').insert(0, 'NOPE')
    await new Promise(resolve => setTimeout(resolve, 200))
    expect(writer.getText('t').toString()).toBe('ok')
    expect(textOf(await storage.load('doc'))).toBe('ok')
  })
})
