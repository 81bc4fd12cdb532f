import * as encoding from 'lib0/encoding'
import { writeHistory } from './history.js'
import { MessageTag, SyncStep, type ClientMessage, type HistoryFrame, type Message, type SyncStep2, type Update } from './messages.js'

/** Encodes one message as one binary frame. */
export const encodeMessage = (message: Message): Uint8Array => {
  const encoder = encoding.createEncoder()
  switch (message.type) {
    case 'welcome':
      encoding.writeVarUint(encoder, MessageTag.welcome)
      encoding.writeVarUint(encoder, message.version)
      encoding.writeVarUint(encoder, message.expiresAt)
      break
    case 'ack':
      encoding.writeVarUint(encoder, MessageTag.ack)
      encoding.writeVarString(encoder, message.docId)
      encoding.writeVarUint(encoder, message.ackId)
      break
    case 'error':
      encoding.writeVarUint(encoder, MessageTag.error)
      encoding.writeVarString(encoder, message.docId)
      encoding.writeVarUint(encoder, message.code)
      encoding.writeVarString(encoder, message.message)
      encoding.writeVarUint(encoder, message.ackId)
      break
    case 'pong':
      encoding.writeVarUint(encoder, MessageTag.pong)
      encoding.writeVarUint(encoder, message.nonce)
      break
    case 'versions-list':
    case 'version-create':
    case 'version-load':
    case 'version-restore':
    case 'versions-result':
    case 'version-content':
    case 'version-error':
      encoding.writeVarUint(encoder, MessageTag.history)
      writeHistory(encoder, message)
      break
    default:
      writeClientMessage(encoder, message)
  }
  return encoding.toUint8Array(encoder)
}

/**
 * Encodes what a client sends. Kept apart from `encodeMessage` so that a client's bundle holds neither the
 * relay's messages nor the history codec (a history request arrives already encoded, as a `HistoryFrame`).
 */
export const encodeClientMessage = (message: ClientMessage): Uint8Array => {
  if (message.type === 'history-frame') return message.frame
  const encoder = encoding.createEncoder()
  writeClientMessage(encoder, message)
  return encoding.toUint8Array(encoder)
}

const writeClientMessage = (encoder: encoding.Encoder, message: Exclude<ClientMessage, HistoryFrame>): void => {
  switch (message.type) {
    case 'hello':
      encoding.writeVarUint(encoder, MessageTag.hello)
      encoding.writeVarUint(encoder, message.version)
      encoding.writeVarString(encoder, message.token)
      break
    case 'auth':
      encoding.writeVarUint(encoder, MessageTag.auth)
      encoding.writeVarString(encoder, message.token)
      break
    case 'subscribe':
      encoding.writeVarUint(encoder, MessageTag.subscribe)
      encoding.writeVarString(encoder, message.docId)
      encoding.writeVarUint8Array(encoder, message.stateVector)
      break
    case 'unsubscribe':
      encoding.writeVarUint(encoder, MessageTag.unsubscribe)
      encoding.writeVarString(encoder, message.docId)
      break
    case 'sync-step-1':
      writeSyncHeader(encoder, message.docId, SyncStep.step1)
      encoding.writeVarUint8Array(encoder, message.stateVector)
      break
    case 'sync-step-2':
    case 'update':
      writeSyncHeader(encoder, message.docId, message.type === 'update' ? SyncStep.update : SyncStep.step2)
      encoding.writeVarUint8Array(encoder, message.update)
      encoding.writeVarUint(encoder, message.ackId)
      break
    case 'awareness':
      encoding.writeVarUint(encoder, MessageTag.awareness)
      encoding.writeVarString(encoder, message.docId)
      encoding.writeVarUint8Array(encoder, message.update)
      break
    case 'ping':
      encoding.writeVarUint(encoder, MessageTag.ping)
      encoding.writeVarUint(encoder, message.nonce)
      break
  }
}

/**
 * The frame `encodeMessage` makes for a sync-step-2 or update, as three parts to send back to back: what
 * precedes the update, the update itself (not copied), and what follows it. For a payload of megabytes,
 * where `encodeMessage` would copy it twice on the way to one frame.
 */
export const encodeUpdateParts = (message: SyncStep2 | Update): [head: Uint8Array, update: Uint8Array, tail: Uint8Array] => {
  const head = encoding.createEncoder()
  writeSyncHeader(head, message.docId, message.type === 'update' ? SyncStep.update : SyncStep.step2)
  encoding.writeVarUint(head, message.update.length)
  const tail = encoding.createEncoder()
  encoding.writeVarUint(tail, message.ackId)
  return [encoding.toUint8Array(head), message.update, encoding.toUint8Array(tail)]
}

const writeSyncHeader = (encoder: encoding.Encoder, docId: string, step: number): void => {
  encoding.writeVarUint(encoder, MessageTag.sync)
  encoding.writeVarString(encoder, docId)
  encoding.writeVarUint(encoder, step)
}
