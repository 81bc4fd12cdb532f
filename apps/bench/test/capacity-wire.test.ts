import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { CODECS } from '../src/capacity/protocols.js'
import { forEachStruct, StructWalkError } from '../src/capacity/structs.js'
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
