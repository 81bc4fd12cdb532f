import * as encoding from 'lib0/encoding'
import { encodeMessage } from '@driftless/protocol'

/** y-websocket's outer message types (y-websocket/src/y-websocket.js). */
export const YMessage = { sync: 0, awareness: 1, auth: 2, queryAwareness: 3 } as const
/** y-protocols/sync message types. */
export const YSync = { step1: 0, step2: 1, update: 2 } as const

const ySyncFrame = (syncType: number, payload: Uint8Array): Uint8Array => {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, YMessage.sync)
  encoding.writeVarUint(encoder, syncType)
  encoding.writeVarUint8Array(encoder, payload)
  return encoding.toUint8Array(encoder)
}

export const yStep1Frame = (stateVector: Uint8Array): Uint8Array => ySyncFrame(YSync.step1, stateVector)
export const yStep2Frame = (update: Uint8Array): Uint8Array => ySyncFrame(YSync.step2, update)
export const yUpdateFrame = (update: Uint8Array): Uint8Array => ySyncFrame(YSync.update, update)

export const yAwarenessFrame = (update: Uint8Array): Uint8Array => {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, YMessage.awareness)
  encoding.writeVarUint8Array(encoder, update)
  return encoding.toUint8Array(encoder)
}

/** A Driftless `update` frame as the relay forwards it (no ack asked). */
export const dUpdateFrame = (docId: string, update: Uint8Array): Uint8Array =>
  encodeMessage({ type: 'update', docId, update, ackId: 0 })

export const dAwarenessFrame = (docId: string, update: Uint8Array): Uint8Array =>
  encodeMessage({ type: 'awareness', docId, update })

const headerLength = (length: number): number => (length < 126 ? 2 : length < 65536 ? 4 : 10)

/** Writes the header of an unmasked, final, binary websocket message of `length` bytes; returns its size. */
const writeHeader = (wire: Buffer, length: number): number => {
  wire[0] = 0x82
  if (length < 126) {
    wire[1] = length
  } else if (length < 65536) {
    wire[1] = 126
    wire.writeUInt16BE(length, 2)
  } else {
    wire[1] = 127
    wire.writeUInt32BE(Math.floor(length / 2 ** 32), 2)
    wire.writeUInt32BE(length >>> 0, 6)
  }
  return headerLength(length)
}

/**
 * A whole server-to-client websocket message (unmasked, final, binary) around `payload`. Built once per
 * broadcast and written as is to every subscriber's TCP stream, instead of letting the websocket library
 * allocate a header per subscriber.
 */
export const wsBinaryFrame = (payload: Uint8Array): Buffer => {
  const wire = Buffer.allocUnsafe(headerLength(payload.length) + payload.length)
  wire.set(payload, writeHeader(wire, payload.length))
  return wire
}

/** Just the header of such a message, for writing a large payload after it without copying it. */
export const wsBinaryHeader = (length: number): Buffer => {
  const header = Buffer.allocUnsafe(headerLength(length))
  writeHeader(header, length)
  return header
}
