import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { CloseCode, ErrorCode, type Message } from '@driftless/protocol'
import { createMemoryStorage, type Relay, type RelayStorage } from '../src/index.js'
import { waitUntil } from '@driftless/testkit/support'
import { makeUpdate, startRelay, TestClient } from './helpers.js'

let relay: Relay | undefined
let storage: RelayStorage
const clients: TestClient[] = []
afterEach(async () => {
  for (const client of clients.splice(0)) client.close()
  await relay?.close()
  relay = undefined
  await storage.close()
})

const open = async (store: RelayStorage = createMemoryStorage()): Promise<Relay> => {
  storage = store
  relay = await startRelay({ storage })
  return relay
}
const connect = async (r: Relay): Promise<TestClient> => {
  const client = await TestClient.greeted(r.url)
  clients.push(client)
  return client
}
const isDeletedError = (docId: string, ackId?: number) => (m: Message): boolean =>
  m.type === 'error' && m.docId === docId && m.code === ErrorCode.documentDeleted && (ackId === undefined || m.ackId === ackId)

/** Opens a y-websocket connection and resolves with its close code. */
const yWebsocketClose = (url: string): Promise<number> => new Promise((resolve, reject) => {
  const ws = new WebSocket(url)
  ws.on('error', reject)
  ws.on('close', code => resolve(code))
})

describe('deleting a document', () => {
  it('tells subscribers documentDeleted, unsubscribes them, and removes the stored rows', async () => {
    const r = await open()
    const [a, b] = [await connect(r), await connect(r)]
    await a.subscribe('doomed')
    await b.subscribe('doomed')
    await b.subscribe('bystander')
    a.send({ type: 'update', docId: 'doomed', update: makeUpdate('content'), ackId: 1 })
    b.send({ type: 'update', docId: 'bystander', update: makeUpdate('kept'), ackId: 1 })
    await a.waitFor(m => m.type === 'ack')
    await b.waitFor(m => m.type === 'ack')
    await r.deleteDocument('doomed')
    await a.waitFor(isDeletedError('doomed', 0))
    await b.waitFor(isDeletedError('doomed', 0))
    expect(await storage.load('doomed')).toEqual([])
    expect(await storage.tombstone('doomed')).toMatchObject({ id: 'doomed' })
    expect((await storage.load('bystander')).length).toBe(1)
    // The other document of the same connection is untouched.
    const from = a.received.length
    b.send({ type: 'update', docId: 'bystander', update: makeUpdate('more'), ackId: 2 })
    await b.waitFor(m => m.type === 'ack' && m.ackId === 2)
    expect(a.received.slice(from).some(m => m.type === 'update')).toBe(false)
  })

  it('refuses later updates and subscribes for the id with documentDeleted and stores nothing', async () => {
    const r = await open()
    const a = await connect(r)
    await a.subscribe('doomed')
    await r.deleteDocument('doomed')
    await a.waitFor(isDeletedError('doomed', 0))
    a.send({ type: 'update', docId: 'doomed', update: makeUpdate('late'), ackId: 7 })
    await a.waitFor(isDeletedError('doomed', 7))
    const fresh = await connect(r)
    const from = fresh.received.length
    fresh.send({ type: 'subscribe', docId: 'doomed', stateVector: new Uint8Array([0]) })
    await fresh.waitFor(isDeletedError('doomed', 0), from)
    fresh.send({ type: 'sync-step-2', docId: 'doomed', update: makeUpdate('offline edits'), ackId: 3 })
    await fresh.waitFor(m => m.type === 'error' && m.ackId === 3, from)
    expect(fresh.received.slice(from).some(m => m.type === 'sync-step-2' || m.type === 'ack')).toBe(false)
    expect(await storage.load('doomed')).toEqual([])
    expect(r.stats().openDocuments).toBe(0)
  })

  it('closes y-websocket clients with 4007, also when they connect later', async () => {
    const r = await open()
    const ws = new WebSocket(`${r.url}/doomed`)
    ws.on('error', () => {})
    await new Promise(resolve => ws.once('message', resolve))
    const closed = new Promise<number>(resolve => ws.once('close', code => resolve(code)))
    await r.deleteDocument('doomed')
    expect(await closed).toBe(CloseCode.documentDeleted)
    expect(await yWebsocketClose(`${r.url}/doomed`)).toBe(CloseCode.documentDeleted)
  })

  it('lets no commit queued before the delete bring the document back', async () => {
    const inner = createMemoryStorage()
    // Holds commits until released, so the delete runs while the update waits in a transaction.
    let release: () => void = () => {}
    const gate = new Promise<void>(resolve => { release = resolve })
    let appendsWaiting = 0
    const gated: RelayStorage = {
      ...inner,
      append: async writes => {
        appendsWaiting++
        await gate
        return inner.append(writes)
      },
    }
    const r = await open(gated)
    const a = await connect(r)
    await a.subscribe('doomed')
    a.send({ type: 'update', docId: 'doomed', update: makeUpdate('queued'), ackId: 1 })
    await waitUntil(() => appendsWaiting > 0, 10_000, 'the commit to start')
    await r.deleteDocument('doomed')
    release()
    await a.waitFor(isDeletedError('doomed', 0))
    await waitUntil(() => r.stats().pendingCommits === 0, 10_000, 'the commit to finish')
    expect(await inner.load('doomed')).toEqual([])
  })

  it('restore makes the id usable again, starting empty', async () => {
    const r = await open()
    const a = await connect(r)
    await a.subscribe('phoenix')
    a.send({ type: 'update', docId: 'phoenix', update: makeUpdate('old life'), ackId: 1 })
    await a.waitFor(m => m.type === 'ack')
    await r.deleteDocument('phoenix')
    await a.waitFor(isDeletedError('phoenix', 0))
    expect(await r.restoreDocument('phoenix')).toBe(true)
    expect(await r.restoreDocument('phoenix')).toBe(false)
    const reply = await a.subscribe('phoenix')
    expect(reply.update).toEqual(new Uint8Array([0, 0]))
    a.send({ type: 'update', docId: 'phoenix', update: makeUpdate('new life'), ackId: 2 })
    await a.waitFor(m => m.type === 'ack' && m.ackId === 2)
    expect((await storage.load('phoenix')).length).toBe(1)
  })
})
