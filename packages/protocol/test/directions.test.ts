import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeHistoryFrame, decodeRelayMessage, encodeClientMessage, encodeHistoryFrame, encodeMessage,
  MessageTag, ProtocolError, type ClientMessage, type HistoryMessage, type Message,
} from '../src/index.js'
import { anyMessage } from './arbitraries.js'

const clientTypes = new Set<Message['type']>(['hello', 'auth', 'subscribe', 'unsubscribe', 'sync-step-1', 'sync-step-2', 'update', 'awareness', 'ping'])
const relayTypes = new Set<Message['type']>(['welcome', 'sync-step-1', 'sync-step-2', 'update', 'awareness', 'ack', 'error', 'pong'])
const isHistory = (message: Message): message is HistoryMessage => message.type.startsWith('version')

describe('the client codec (encodeClientMessage, decodeRelayMessage)', () => {
  it('writes the same frames as encodeMessage for everything a client sends', () => {
    fc.assert(fc.property(anyMessage.filter((m) => clientTypes.has(m.type)), (message) => {
      expect(encodeClientMessage(message as ClientMessage)).toEqual(encodeMessage(message))
    }), { numRuns: 2_000 })
  })

  it('reads what a relay sends as decodeMessage does', () => {
    fc.assert(fc.property(anyMessage.filter((m) => relayTypes.has(m.type)), (message) => {
      expect(decodeRelayMessage(encodeMessage(message))).toEqual({ ok: true, message })
    }), { numRuns: 2_000 })
  })

  it('carries history messages encoded, named by their document, both ways', () => {
    fc.assert(fc.property(anyMessage.filter(isHistory), (message) => {
      const sent = encodeHistoryFrame(message as HistoryMessage)
      expect(sent).toEqual({ type: 'history-frame', docId: message.docId, frame: encodeMessage(message) })
      expect(encodeClientMessage(sent)).toEqual(encodeMessage(message))
      const received = decodeRelayMessage(encodeMessage(message))
      expect(received).toEqual({ ok: true, message: sent })
      if (!received.ok || received.message.type !== 'history-frame') throw new Error('not a history frame')
      expect(decodeHistoryFrame(received.message)).toEqual({ ok: true, message })
    }), { numRuns: 2_000 })
  })

  it('refuses what only clients send as an unknown message type', () => {
    for (const message of [
      { type: 'hello', version: 1, token: '' }, { type: 'auth', token: 't' }, { type: 'unsubscribe', docId: 'a' },
      { type: 'subscribe', docId: 'a', stateVector: new Uint8Array([0]) }, { type: 'ping', nonce: 1 },
    ] satisfies Message[]) {
      expect(decodeRelayMessage(encodeMessage(message))).toMatchObject({ ok: false, error: { code: 'unknown-message-type' } })
    }
  })

  it('refuses a history frame with an empty document id', () => {
    const frame = new Uint8Array([MessageTag.history, 1, 4, 0, 1])
    expect(decodeRelayMessage(frame)).toMatchObject({ ok: false, error: { code: 'malformed-message' } })
  })

  it('decodeHistoryFrame refuses a frame that is not a history message', () => {
    const frame = encodeMessage({ type: 'ping', nonce: 1 })
    expect(decodeHistoryFrame({ type: 'history-frame', docId: 'a', frame })).toMatchObject({ ok: false, error: { code: 'unknown-message-type' } })
  })

  it('never throws on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), (frame) => {
      const result = decodeRelayMessage(frame)
      if (!result.ok) expect(result.error).toBeInstanceOf(ProtocolError)
      const history = decodeHistoryFrame({ type: 'history-frame', docId: 'a', frame })
      if (!history.ok) expect(history.error).toBeInstanceOf(ProtocolError)
    }), { numRuns: 10_000 })
  })
})
