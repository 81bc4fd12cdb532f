import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeMessage, encodeMessage, encodeUpdateParts, HISTORY_VERSION, HistoryOp, MessageTag, ProtocolError, SyncStep } from '../src/index.js'
import { anyMessage } from './arbitraries.js'

const decodeOk = (frame: Uint8Array) => {
  const result = decodeMessage(frame)
  if (!result.ok) throw result.error
  return result.message
}

describe('encodeMessage → decodeMessage', () => {
  it('round-trips every message type', () => {
    fc.assert(fc.property(anyMessage, (message) => {
      expect(decodeOk(encodeMessage(message))).toEqual(message)
    }), { numRuns: 5_000 })
  })

  it('keeps the y-protocols sync layout inside the envelope: tag, doc id, sync step, payload', () => {
    const frame = encodeMessage({ type: 'sync-step-1', docId: 'a', stateVector: new Uint8Array([7]) })
    expect([...frame]).toEqual([MessageTag.sync, 1, 'a'.charCodeAt(0), SyncStep.step1, 1, 7])
  })

  it('copies payloads so a decoded message does not alias the frame', () => {
    const frame = encodeMessage({ type: 'update', docId: 'a', update: new Uint8Array([1, 2, 3]), ackId: 1 })
    const message = decodeOk(frame)
    frame.fill(0)
    expect(message).toMatchObject({ update: new Uint8Array([1, 2, 3]) })
  })
})

describe('encodeUpdateParts', () => {
  it('joined, its parts are exactly the frame encodeMessage makes, and the update is not copied', () => {
    const update = new Uint8Array(70_000).fill(7)
    for (const message of [
      { type: 'sync-step-2', docId: 'doc', update, ackId: 0 },
      { type: 'update', docId: 'd\u00e9', update, ackId: 300 },
    ] as const) {
      const parts = encodeUpdateParts(message)
      expect(parts[1]).toBe(update)
      expect(Buffer.concat(parts)).toEqual(Buffer.from(encodeMessage(message)))
    }
  })
})

describe('history messages', () => {
  it('lay out as tag, history version, operation, doc id, request id, fields', () => {
    const frame = encodeMessage({ type: 'version-load', docId: 'a', requestId: 3, versionId: 9 })
    expect([...frame]).toEqual([MessageTag.history, HISTORY_VERSION, HistoryOp.load, 1, 'a'.charCodeAt(0), 3, 9])
  })

  it('a layout version this side does not know is an unknown message type, not a malformed one', () => {
    const result = decodeMessage(new Uint8Array([MessageTag.history, HISTORY_VERSION + 1, HistoryOp.list, 1, 97, 1]))
    expect(result.ok ? null : result.error.code).toBe('unknown-message-type')
  })

  it('refuses a version list claiming more entries than the frame holds', () => {
    const frame = new Uint8Array([MessageTag.history, HISTORY_VERSION, HistoryOp.result, 1, 97, 1, 0xff, 0xff, 0xff, 0x0f])
    expect(decodeMessage(frame)).toMatchObject({ ok: false, error: { code: 'malformed-message' } })
  })
})

describe('decodeMessage on hostile input', () => {
  it('never throws on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), (frame) => {
      const result = decodeMessage(frame)
      if (!result.ok) expect(result.error).toBeInstanceOf(ProtocolError)
    }), { numRuns: 20_000 })
  })

  it('never throws on valid frames with flipped, cut or appended bytes', () => {
    const mutated = fc.tuple(anyMessage, fc.nat(), fc.nat({ max: 255 }), fc.constantFrom('flip', 'cut', 'append'))
    fc.assert(fc.property(mutated, ([message, at, value, how]) => {
      const frame = encodeMessage(message)
      const index = at % frame.length
      const bad = how === 'flip' ? frame.map((b, i) => (i === index ? b ^ (value || 1) : b))
        : how === 'cut' ? frame.slice(0, index)
        : new Uint8Array([...frame, value])
      const result = decodeMessage(bad)
      if (!result.ok) expect(result.error).toBeInstanceOf(ProtocolError)
    }), { numRuns: 20_000 })
  })

  it('refuses a truncated frame', () => {
    const frame = encodeMessage({ type: 'update', docId: 'doc', update: new Uint8Array(10), ackId: 3 })
    const result = decodeMessage(frame.slice(0, frame.length - 4))
    expect(result).toMatchObject({ ok: false, error: { code: 'malformed-message' } })
  })

  it('refuses trailing bytes', () => {
    const frame = encodeMessage({ type: 'ping', nonce: 1 })
    expect(decodeMessage(new Uint8Array([...frame, 0]))).toMatchObject({ ok: false, error: { code: 'malformed-message' } })
  })

  it('refuses an unknown message type', () => {
    expect(decodeMessage(new Uint8Array([99]))).toMatchObject({ ok: false, error: { code: 'unknown-message-type' } })
  })

  it('refuses an unknown sync step', () => {
    expect(decodeMessage(new Uint8Array([MessageTag.sync, 1, 97, 9]))).toMatchObject({
      ok: false, error: { code: 'unknown-message-type' },
    })
  })

  it('refuses a varint that never ends or overflows', () => {
    expect(decodeMessage(new Uint8Array(20).fill(0xff))).toMatchObject({ ok: false, error: { code: 'malformed-message' } })
  })

  it('refuses a length prefix larger than the frame without allocating it', () => {
    // subscribe, doc id claims 2^50 bytes
    const frame = new Uint8Array([MessageTag.subscribe, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02])
    expect(decodeMessage(frame)).toMatchObject({ ok: false, error: { code: 'malformed-message' } })
  })

  it('refuses empty, oversized and non-UTF-8 document ids', () => {
    const empty = new Uint8Array([MessageTag.unsubscribe, 0])
    const invalidUtf8 = new Uint8Array([MessageTag.unsubscribe, 1, 0xff])
    const long = encodeMessage({ type: 'unsubscribe', docId: 'x'.repeat(513) })
    for (const frame of [empty, invalidUtf8, long]) {
      expect(decodeMessage(frame)).toMatchObject({ ok: false, error: { code: 'malformed-message' } })
    }
  })

  it('refuses an error message with an unknown code', () => {
    const frame = new Uint8Array([MessageTag.error, 0, 200, 1, 0, 0])
    expect(decodeMessage(frame)).toMatchObject({ ok: false, error: { code: 'malformed-message' } })
  })
})
