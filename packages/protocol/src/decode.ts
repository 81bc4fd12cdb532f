import * as decoding from 'lib0/decoding'
import { isErrorCode } from './codes.js'
import { readHistory } from './history.js'
import { HISTORY_VERSION, MessageTag, SyncStep, type HistoryFrame, type Message, type RelayMessage } from './messages.js'
import { decodeFrame, ProtocolError, readBytes, readDocId, readString, type DecodeResult } from './read.js'

export { ProtocolError, type DecodeResult, type ProtocolErrorCode } from './read.js'

/**
 * Decodes one frame, in either direction. Never throws and runs in time linear in the frame's length:
 * anything truncated, oversized, trailing or unknown comes back as `{ ok: false, error }`.
 */
export const decodeMessage = (frame: Uint8Array): DecodeResult => decodeFrame(frame, (decoder, tag): Message => {
  switch (tag) {
    case MessageTag.hello:
      return { type: 'hello', version: decoding.readVarUint(decoder), token: readString(decoder) }
    case MessageTag.auth:
      return { type: 'auth', token: readString(decoder) }
    case MessageTag.subscribe:
      return { type: 'subscribe', docId: readDocId(decoder), stateVector: readBytes(decoder) }
    case MessageTag.unsubscribe:
      return { type: 'unsubscribe', docId: readDocId(decoder) }
    case MessageTag.ping:
      return { type: 'ping', nonce: decoding.readVarUint(decoder) }
    case MessageTag.history:
      return readHistory(decoder)
    default:
      return readRelayMessage(decoder, tag)
  }
})

/**
 * Decodes what a relay sends, as `decodeMessage` does, but leaves history messages encoded (a `HistoryFrame`,
 * named by its document) and refuses what only clients send: a client's bundle holds no more of the codec.
 */
export const decodeRelayMessage = (frame: Uint8Array): DecodeResult<RelayMessage> =>
  decodeFrame(frame, (decoder, tag) => tag === MessageTag.history ? readHistoryFrame(decoder, frame) : readRelayMessage(decoder, tag))

const readRelayMessage = (decoder: decoding.Decoder, tag: number): Exclude<RelayMessage, HistoryFrame> => {
  switch (tag) {
    case MessageTag.welcome:
      return { type: 'welcome', version: decoding.readVarUint(decoder), expiresAt: decoding.readVarUint(decoder) }
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
    case MessageTag.pong:
      return { type: 'pong', nonce: decoding.readVarUint(decoder) }
    default:
      throw new ProtocolError('unknown-message-type', `unknown message type ${tag}`)
  }
}

const readSync = (decoder: decoding.Decoder, docId: string): Extract<RelayMessage, { type: `sync-${string}` | 'update' }> => {
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

/** The history header up to the document id; the rest is the history codec's to read. */
const readHistoryFrame = (decoder: decoding.Decoder, frame: Uint8Array): HistoryFrame => {
  const version = decoding.readVarUint(decoder)
  if (version !== HISTORY_VERSION) throw new ProtocolError('unknown-message-type', `unknown history message version ${version}`)
  decoding.readVarUint(decoder) // the operation
  const docId = readDocId(decoder)
  decoder.pos = frame.length
  return { type: 'history-frame', docId, frame: frame.slice() }
}
