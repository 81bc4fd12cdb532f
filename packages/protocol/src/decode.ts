import * as decoding from 'lib0/decoding'
import { isErrorCode } from './codes.js'
import { MessageTag, SyncStep, type Message } from './messages.js'

import { readHistory } from './history.js'
import { ProtocolError, readBytes, readDocId, readString } from './read.js'

export { ProtocolError, type ProtocolErrorCode } from './read.js'

export type DecodeResult = { ok: true; message: Message } | { ok: false; error: ProtocolError }

/**
 * Decodes one frame. Never throws and runs in time linear in the frame's length: anything
 * truncated, oversized, trailing or unknown comes back as `{ ok: false, error }`.
 */
export const decodeMessage = (frame: Uint8Array): DecodeResult => {
  try {
    const decoder = decoding.createDecoder(frame)
    const message = readMessage(decoder)
    if (decoding.hasContent(decoder)) return malformed(`${frame.length - decoder.pos} trailing bytes`)
    return { ok: true, message }
  } catch (error) {
    if (error instanceof ProtocolError) return { ok: false, error }
    return malformed(error instanceof Error ? error.message : String(error))
  }
}

const malformed = (why: string): DecodeResult => ({
  ok: false,
  error: new ProtocolError('malformed-message', `malformed message: ${why}`),
})

const readMessage = (decoder: decoding.Decoder): Message => {
  const tag = decoding.readVarUint(decoder)
  switch (tag) {
    case MessageTag.hello:
      return { type: 'hello', version: decoding.readVarUint(decoder), token: readString(decoder) }
    case MessageTag.welcome:
      return { type: 'welcome', version: decoding.readVarUint(decoder), expiresAt: decoding.readVarUint(decoder) }
    case MessageTag.auth:
      return { type: 'auth', token: readString(decoder) }
    case MessageTag.subscribe:
      return { type: 'subscribe', docId: readDocId(decoder), stateVector: readBytes(decoder) }
    case MessageTag.unsubscribe:
      return { type: 'unsubscribe', docId: readDocId(decoder) }
    case MessageTag.sync:
      return readSync(decoder, readDocId(decoder))
    case MessageTag.awareness:
      return { type: 'awareness', docId: readDocId(decoder), update: readBytes(decoder) }
    case MessageTag.ack:
      return { type: 'ack', docId: readDocId(decoder), ackId: decoding.readVarUint(decoder) }
    case MessageTag.error: {
      const docId = readString(decoder)
      const code = decoding.readVarUint(decoder)
      if (!isErrorCode(code)) throw new ProtocolError('malformed-message', `malformed message: unknown error code ${code}`)
      return { type: 'error', docId, code, message: readString(decoder), ackId: decoding.readVarUint(decoder) }
    }
    case MessageTag.ping:
      return { type: 'ping', nonce: decoding.readVarUint(decoder) }
    case MessageTag.pong:
      return { type: 'pong', nonce: decoding.readVarUint(decoder) }
    case MessageTag.history:
      return readHistory(decoder)
    default:
      throw new ProtocolError('unknown-message-type', `unknown message type ${tag}`)
  }
}

const readSync = (decoder: decoding.Decoder, docId: string): Message => {
  const step = decoding.readVarUint(decoder)
  switch (step) {
    case SyncStep.step1:
      return { type: 'sync-step-1', docId, stateVector: readBytes(decoder) }
    case SyncStep.step2:
      return { type: 'sync-step-2', docId, update: readBytes(decoder), ackId: decoding.readVarUint(decoder) }
    case SyncStep.update:
      return { type: 'update', docId, update: readBytes(decoder), ackId: decoding.readVarUint(decoder) }
    default:
      throw new ProtocolError('unknown-message-type', `unknown sync step ${step}`)
  }
}
