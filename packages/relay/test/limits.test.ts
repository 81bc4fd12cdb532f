import type { Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import * as Y from 'yjs'
import { CloseCode, ErrorCode } from '@driftless/protocol'
import type { Relay, RelayOptions } from '../src/index.js'
import { makeUpdate, startRelay, TestClient } from './helpers.js'

let relay: Relay | undefined
const start = async (options: RelayOptions): Promise<Relay> => (relay = await startRelay(options))
afterEach(async () => {
  await relay?.close()
  relay = undefined
})

describe('limits', () => {
  it('maxMessageBytes: a larger frame closes the socket with 1009', async () => {
    const { url } = await start({ maxMessageBytes: 1024 })
    const client = await TestClient.greeted(url)
    await client.subscribe('d')
    client.send({ type: 'update', docId: 'd', update: new Uint8Array(4096), ackId: 1 })
    expect(await client.waitClosed()).toBe(CloseCode.messageTooLarge)
  })

  it('maxDocumentsPerConnection: one more subscribe gets tooManyDocuments until one is closed', async () => {
    const { url } = await start({ maxDocumentsPerConnection: 2 })
    const client = await TestClient.greeted(url)
    await client.subscribe('a')
    await client.subscribe('b')
    client.send({ type: 'subscribe', docId: 'c', stateVector: new Uint8Array([0]) })
    expect(await client.waitFor(m => m.type === 'error')).toMatchObject({ code: ErrorCode.tooManyDocuments, docId: 'c' })
    client.send({ type: 'unsubscribe', docId: 'a' })
    await client.subscribe('c')
    client.close()
  })

  it('maxMessagesPerSecond: over the bucket each message gets rateLimited (with its ackId)', async () => {
    const { url } = await start({ maxMessagesPerSecond: 3 })
    const client = await TestClient.greeted(url)
    await client.subscribe('d')
    // hello and subscribe took 2 of the 3 tokens. Three pings empty the bucket whatever refilled since, so
    // the update is refused unless it arrives 333 ms after them; and at most 3 drops is not yet a flood.
    // The exact arithmetic is specified with a fake clock in rate-limit.test.ts.
    for (let nonce = 0; nonce < 3; nonce++) client.send({ type: 'ping', nonce })
    client.send({ type: 'update', docId: 'd', update: makeUpdate('x'), ackId: 33 })
    const refused = await client.waitFor(m => m.type === 'error' && m.ackId === 33)
    expect(refused).toMatchObject({ code: ErrorCode.rateLimited, docId: 'd' })
    expect(client.of('ack')).toEqual([])
    expect(client.closeCode).toBeNull()
    client.close()
  })

  it('maxMessagesPerSecond: a sustained flood closes the connection with 4005', async () => {
    const { url } = await start({ maxMessagesPerSecond: 20 })
    const client = await TestClient.greeted(url)
    for (let i = 0; i < 200; i++) client.send({ type: 'ping', nonce: i })
    expect(await client.waitClosed()).toBe(CloseCode.rateLimited)
    expect(client.of('error').filter(e => e.code === ErrorCode.rateLimited).length).toBeGreaterThan(0)
  })

  it('maxConnections: one more connection is closed with 1013', async () => {
    const { url } = await start({ maxConnections: 2 })
    const a = await TestClient.greeted(url)
    const b = await TestClient.greeted(url)
    const c = await TestClient.connect(url)
    expect(await c.waitClosed()).toBe(CloseCode.tryAgainLater)
    a.close()
    await a.waitClosed()
    // A slot is free again once a connection closed.
    await new Promise(resolve => setTimeout(resolve, 50))
    const d = await TestClient.greeted(url)
    expect(d.of('welcome')).toHaveLength(1)
    b.close()
    d.close()
  })

  it('maxBufferedBytes: a client that stops reading is closed with 4004, the writer is unaffected', async () => {
    const { url } = await start({ maxBufferedBytes: 256 * 1024 })
    const writer = await TestClient.greeted(url)
    const slow = await TestClient.greeted(url)
    await writer.subscribe('d')
    await slow.subscribe('d')
    const socket = (slow.ws as unknown as { _socket: Socket })._socket
    socket.pause()
    const doc = new Y.Doc()
    const chunk = 'x'.repeat(256 * 1024)
    let ackId = 0
    // Enough to fill the kernel's loopback buffers and then the relay's 256 KiB allowance.
    const shed = async (): Promise<boolean> => {
      const metric = await relay!.metrics.getSingleMetric('driftless_rejections_total')!.get()
      return metric.values.some(value => value.labels['code'] === 'slowConsumer' && value.value > 0)
    }
    for (let i = 0; i < 120 && !(await shed()); i++) {
      const before = Y.encodeStateVector(doc)
      doc.getText('t').insert(0, chunk)
      writer.send({ type: 'update', docId: 'd', update: Y.encodeStateAsUpdate(doc, before), ackId: ++ackId })
      await writer.waitFor(m => m.type === 'ack' && m.ackId === ackId)
    }
    expect(await shed()).toBe(true)
    socket.resume()
    expect(await slow.waitClosed()).toBe(CloseCode.slowConsumer)
    expect(writer.closeCode).toBeNull()
    expect(writer.of('error')).toEqual([])
    writer.close()
  }, 60_000)

  it('heartbeat: a silent connection is closed with 4006, a pinging one stays', async () => {
    const { url } = await start({ heartbeatTimeoutMs: 300 })
    const silent = await TestClient.greeted(url)
    const lively = await TestClient.greeted(url)
    const timer = setInterval(() => lively.send({ type: 'ping', nonce: 1 }), 50)
    try {
      expect(await silent.waitClosed()).toBe(CloseCode.heartbeatTimeout)
      await new Promise(resolve => setTimeout(resolve, 400))
      expect(lively.closeCode).toBeNull()
    } finally {
      clearInterval(timer)
      lively.close()
    }
  })

  it('heartbeat: y-websocket clients are kept alive by ws pings, dead ones are closed', async () => {
    const { url } = await start({ heartbeatTimeoutMs: 300 })
    const answering = new WebSocket(`${url}/room`)
    const deaf = new WebSocket(`${url}/room`, { autoPong: false })
    answering.on('error', () => {})
    deaf.on('error', () => {})
    const deafClosed = new Promise<number>(resolve => deaf.on('close', code => resolve(code)))
    expect(await deafClosed).toBe(CloseCode.heartbeatTimeout)
    expect(answering.readyState).toBe(WebSocket.OPEN)
    answering.close()
  })
})
