import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { CODECS } from '../src/capacity/protocols.js'
import { EditCounter, forEachStruct, StructWalkError } from '../src/capacity/structs.js'
import { clientFrame, FrameReader, Opcode } from '../src/capacity/wire.js'

/** A server frame (unmasked), as the servers under test send them. */
const serverFrame = (payload: Uint8Array, opcode: number = Opcode.binary): Buffer => {
  const masked = clientFrame(payload, opcode)
  const header = masked.length - payload.length - 4
  const frame = Buffer.concat([masked.subarray(0, header), Buffer.from(payload)])
  frame[1] = frame[1]! & 0x7f
  return frame
}

const structsOf = (update: Uint8Array): [number, number, number][] => {
  const out: [number, number, number][] = []
  forEachStruct(update, 0, update.length, (client, clock, length) => out.push([client, clock, length]))
  return out
}

describe('FrameReader', () => {
  it('splits frames of every length class, whatever the chunk boundaries', () => {
    const payloads = [new Uint8Array(0), new Uint8Array(5).fill(1), new Uint8Array(300).fill(2), new Uint8Array(70_000).fill(3)]
    const stream = Buffer.concat(payloads.map((p) => serverFrame(p)))
    for (const chunkSize of [1, 3, 7, 1000, stream.length]) {
      const seen: number[] = []
      const reader = new FrameReader((opcode, payload) => {
        expect(opcode).toBe(Opcode.binary)
        seen.push(payload.length)
        expect(payload.every((b) => b === payloads[seen.length - 1]![0] || payload.length === 0)).toBe(true)
      })
      for (let i = 0; i < stream.length; i += chunkSize) reader.push(stream.subarray(i, i + chunkSize))
      expect(seen).toEqual([0, 5, 300, 70_000])
    }
  })

  it('builds client frames with the all-zero mask, so the payload is sent as is', () => {
    const frame = clientFrame(Uint8Array.of(9, 8, 7))
    expect([...frame]).toEqual([0x82, 0x83, 0, 0, 0, 0, 9, 8, 7])
  })
})

describe('forEachStruct', () => {
  it('reports the client, clock and length of text appends and map sets, merged or not', () => {
    const a = new Y.Doc()
    const updates: Uint8Array[] = []
    a.on('update', (u: Uint8Array) => updates.push(u))
    a.getText('text').insert(0, 'ab')
    a.getText('text').insert(2, 'é')
    a.getMap('probe').set('key', 1)
    a.getMap('probe').set('key', 2)
    expect(structsOf(updates[0]!)).toEqual([[a.clientID, 0, 2]])
    expect(structsOf(updates[1]!)).toEqual([[a.clientID, 2, 1]])
    expect(structsOf(updates[3]!)).toEqual([[a.clientID, 4, 1]])
    const total = structsOf(Y.mergeUpdates(updates)).reduce((sum, [, , length]) => sum + length, 0)
    expect(total).toBe(5)
  })

  it('refuses content the load generators never write', () => {
    const doc = new Y.Doc()
    doc.getArray('list').insert(0, [new Uint8Array([1])])
    expect(() => structsOf(Y.encodeStateAsUpdate(doc))).toThrow(StructWalkError)
  })
})

describe('EditCounter', () => {
  /** Several writers' appends merged (client ids from `firstClient` on), with bytes around, like a broadcast message. */
  const broadcast = (texts: string[], firstClient = 1000): { message: Buffer; start: number; end: number; clients: number[] } => {
    const docs = texts.map((text, i) => {
      const doc = new Y.Doc()
      doc.clientID = firstClient + i
      doc.getText('text').insert(0, text)
      return doc
    })
    const update = Y.mergeUpdates(docs.map((doc) => Y.encodeStateAsUpdate(doc)))
    const message = Buffer.concat([Buffer.from([9, 9, 9]), Buffer.from(update), Buffer.from([7])])
    return { message, start: 3, end: 3 + update.length, clients: docs.map((doc) => doc.clientID) }
  }

  it('counts what walking the structs counts, in all and per client', () => {
    const { message, start, end, clients } = broadcast(['ab', 'cde', 'f'])
    const totals = new EditCounter().totals(message, start, end)
    expect(totals.all).toBe(6)
    expect(clients.map((client) => totals.byClient.get(client))).toEqual([2, 3, 1])
  })

  it('gives every copy of one update the same counts, and tells apart updates of the same length', () => {
    const counter = new EditCounter()
    const first = broadcast(['ab', 'c'])
    const other = broadcast(['xy', 'z'], 2000)
    expect(other.end - other.start).toBe(first.end - first.start)
    const copy = Buffer.from(first.message)
    expect(counter.totals(first.message, first.start, first.end)).toBe(counter.totals(copy, first.start, first.end))
    const totals = counter.totals(other.message, other.start, other.end)
    expect(other.clients.map((client) => totals.byClient.get(client))).toEqual([2, 1])
    expect(first.clients.some((client) => totals.byClient.has(client))).toBe(false)
  })

  it('is not fooled when the buffer it read is overwritten with another update', () => {
    const counter = new EditCounter()
    const first = broadcast(['ab'])
    const reused = Buffer.from(first.message)
    const before = counter.totals(reused, first.start, first.end)
    const other = broadcast(['cd'], 2000)
    other.message.copy(reused)
    const after = counter.totals(reused, other.start, other.end)
    expect(after).not.toBe(before)
    expect(after.byClient.get(other.clients[0]!)).toBe(2)
  })
})

describe('protocol codecs', () => {
  it('find the update inside each protocol\'s broadcast, and ignore other messages', () => {
    const update = Uint8Array.of(1, 2, 3)
    for (const codec of Object.values(CODECS)) {
      const message = codec.update('doc-1', update, 7)
      const range = codec.broadcastUpdate(message)
      expect(range).not.toBeNull()
      expect([...message.subarray(range![0], range![1])]).toEqual([1, 2, 3])
    }
    expect(CODECS['y-websocket'].broadcastUpdate(Uint8Array.of(0, 0, 1, 0))).toBeNull()
  })
})
