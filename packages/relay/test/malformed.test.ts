import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CloseCode, encodeMessage, ErrorCode, PROTOCOL_VERSION } from '@driftless/protocol'
import { createMemoryStorage, type Relay } from '../src/index.js'
import { createRng } from '@driftless/testkit/support'
import { makeUpdate, startRelay, TestClient } from './helpers.js'

let relay: Relay | undefined
afterEach(async () => {
  await relay?.close()
  relay = undefined
})

const GARBAGE_CONNECTIONS = 60
const FRAMES_PER_CONNECTION = 180

describe('bad input', () => {
  it('survives 10,000+ malformed frames while a well-behaved client keeps syncing', async () => {
    const storage = createMemoryStorage()
    relay = await startRelay({ storage, maxMessagesPerSecond: 100_000 })
    const url = relay.url
    const random = createRng(42).next // seeded, so a failure can be replayed
    const bytes = (length: number): Uint8Array => Uint8Array.from({ length }, () => Math.floor(random() * 256))
    const validFrame = encodeMessage({ type: 'update', docId: 'garbage', update: makeUpdate('valid'), ackId: 1 })
    const mutate = (frame: Uint8Array): Uint8Array => {
      const copy = frame.slice()
      for (let i = 0; i < 1 + Math.floor(random() * 4); i++) copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256)
      return copy
    }
    const invalidUpdate = (): Uint8Array =>
      encodeMessage({ type: 'update', docId: 'garbage', update: bytes(1 + Math.floor(random() * 64)), ackId: 9 })
    // Frames that get a per-message error but leave the connection open.
    const survivable = (): Uint8Array => {
      const kind = Math.floor(random() * 5)
      if (kind === 0) return invalidUpdate()
      if (kind === 1) return Uint8Array.of(200 + Math.floor(random() * 50), 1, 2, 3) // unknown message type
      if (kind === 2) return encodeMessage({ type: 'update', docId: 'not-subscribed', update: makeUpdate('x'), ackId: 5 })
      if (kind === 3) return encodeMessage({ type: 'awareness', docId: 'garbage', update: bytes(16) })
      return encodeMessage({ type: 'sync-step-1', docId: 'garbage', stateVector: bytes(8) })
    }
    // Frames after which the relay closes the connection (protocol violations), or mutations of anything.
    const fatal = (n: number): Uint8Array | string => {
      switch (n % 5) {
        case 0: return bytes(1 + Math.floor(random() * 512))
        case 1: return 'a text frame'
        case 2: return Uint8Array.of(5, ...new Array<number>(12).fill(0xff), 1) // varint far past 2^53
        case 3: return validFrame.subarray(0, Math.floor(random() * (validFrame.length - 1))) // truncated
        default: return mutate(validFrame)
      }
    }

    // The well-behaved pair on another document.
    const writer = await TestClient.greeted(url)
    const watcher = await TestClient.greeted(url)
    await writer.subscribe('good')
    await watcher.subscribe('good')
    const goodDoc = new Y.Doc()
    let goodAckId = 0
    let flowing = true
    const goodTraffic = (async () => {
      while (flowing) {
        const before = Y.encodeStateVector(goodDoc)
        goodDoc.getArray<number>('n').push([goodAckId])
        const ackId = ++goodAckId
        writer.send({ type: 'update', docId: 'good', update: Y.encodeStateAsUpdate(goodDoc, before), ackId })
        await writer.waitFor(m => m.type === 'ack' && m.ackId === ackId)
        await watcher.waitFor(m => m.type === 'update' && m.docId === 'good', watcher.received.length - 1)
      }
    })()

    let sent = 0
    const closeCodes: number[] = []
    const errorCodes = new Set<number>()
    const garbageConnection = async (index: number): Promise<void> => {
      const client = await TestClient.greeted(url)
      await client.subscribe('garbage')
      for (let i = 0; i < FRAMES_PER_CONNECTION; i++) client.sendRaw(survivable())
      client.sendRaw(fatal(index))
      sent += FRAMES_PER_CONNECTION + 1
      // A mutated or random frame may still decode (say, as a ping); the pong after it tells us it did.
      client.send({ type: 'ping', nonce: 77 })
      const code = await client.waitFor(m => m.type === 'pong' && m.nonce === 77).then(() => -1, () => client.closeCode ?? -2)
      if (code === -1) client.close()
      closeCodes.push(code)
      for (const message of client.of('error')) errorCodes.add(message.code)
    }
    for (let start = 0; start < GARBAGE_CONNECTIONS; start += 6) {
      await Promise.all(Array.from({ length: 6 }, (_, i) => garbageConnection(start + i)))
    }
    flowing = false
    await goodTraffic

    expect(sent).toBeGreaterThanOrEqual(10_000)
    // Text frames, huge varints and truncated frames always close with 1002.
    expect(closeCodes.filter(code => code === CloseCode.protocolError).length).toBeGreaterThanOrEqual((GARBAGE_CONNECTIONS / 5) * 3)
    for (const code of [ErrorCode.invalidUpdate, ErrorCode.unknownMessageType, ErrorCode.notSubscribed, ErrorCode.malformedMessage]) {
      expect(errorCodes).toContain(code)
    }
    // The good client kept going the whole time, and nothing it sent was refused.
    expect(goodAckId).toBeGreaterThan(5)
    expect(writer.of('error')).toEqual([])
    const response = await fetch(`${url.replace('ws', 'http')}/healthz`)
    expect(response.status).toBe(200)

    // Only valid updates were stored: the garbage document's log still loads into a Y.Doc.
    const rows = await storage.load('garbage')
    const doc = new Y.Doc()
    for (const row of rows) Y.applyUpdate(doc, row.update)
    const good = new Y.Doc()
    for (const row of await storage.load('good')) Y.applyUpdate(good, row.update)
    expect(good.getArray('n').length).toBe(goodAckId)
    writer.close()
    watcher.close()
  }, 120_000)

  it('closes a connection whose first message is not hello, and one speaking another version', async () => {
    relay = await startRelay()
    const early = await TestClient.connect(relay.url)
    early.send({ type: 'subscribe', docId: 'd', stateVector: new Uint8Array([0]) })
    expect(await early.waitClosed()).toBe(CloseCode.protocolError)
    expect(early.of('error')[0]?.code).toBe(ErrorCode.malformedMessage)
    const future = await TestClient.connect(relay.url)
    future.send({ type: 'hello', version: PROTOCOL_VERSION + 1, token: '' })
    expect(await future.waitClosed()).toBe(CloseCode.unsupportedVersion)
    expect(future.of('error')[0]?.code).toBe(ErrorCode.unsupportedVersion)
  })
})
