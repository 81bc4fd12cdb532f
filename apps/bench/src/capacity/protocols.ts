import { encodeMessage, PROTOCOL_VERSION } from '@driftless/protocol'
import { readVarUint, skipVarBytes, type Cursor } from './structs.js'

/** The wire protocols the capacity load generators speak. */
export type WireProtocol = 'driftless' | 'y-websocket' | 'hocuspocus'

/** How one protocol opens documents, frames an update and finds the update in a broadcast. */
export interface ProtocolCodec {
  /** Path of the websocket URL for a connection whose first document is `docId`. */
  path(docId: string): string
  /** `Sec-WebSocket-Protocol`, if the server needs one. */
  subprotocol?: string
  /** Messages sent once per connection, before any document. */
  greeting(): Uint8Array[]
  /** Frames the server sends for a document once it is fully open (a batch waits for them before the next). */
  openReplies: number
  /** Messages that open `docId` on the connection (none where the URL already names it). */
  open(docId: string): Uint8Array[]
  /** A message carrying `update` to `docId`; `sequence` counts the connection's writes from 1. */
  update(docId: string, update: Uint8Array, sequence: number): Uint8Array
  /**
   * Where the Yjs update of a broadcast `update` message lies in `message`, as [start, end), or null for
   * any other message (sync replies, acks, awareness, status).
   */
  broadcastUpdate(message: Uint8Array): [number, number] | null
  /**
   * What a client of the protocol sends to be heard, where the server closes silent connections (the Driftless
   * relay, after 30 s); sent after KEEPALIVE_MS without writing. Where the server pings instead, none.
   */
  keepAlive?: Uint8Array
}

/**
 * Under the Driftless relay's 30 s `heartbeatTimeoutMs`, with room for the check interval: what keeps a
 * connection open. A replica pings after 3 s without sending, which costs the relay more, not less: at 3 s the
 * 1,000 idle connections of the memory phase would make 333 pings a second, and the memory rows would hold
 * their garbage as well as what a connection keeps; the peers' clients send nothing while idle.
 */
export const KEEPALIVE_MS = 20_000

const bytes = (...parts: (number | Uint8Array)[]): Uint8Array =>
  Buffer.concat(parts.map((part) => (typeof part === 'number' ? Uint8Array.of(part) : part)))

const varUint = (value: number): number[] => {
  const out: number[] = []
  while (value > 0x7f) {
    out.push(0x80 | (value & 0x7f))
    value = Math.floor(value / 128)
  }
  out.push(value)
  return out
}

const varBytes = (data: Uint8Array): Uint8Array => bytes(Uint8Array.from(varUint(data.length)), data)
const varString = (text: string): Uint8Array => varBytes(new TextEncoder().encode(text))

/** y-protocols sync message types, shared by all three. */
const SYNC = 0
const STEP1 = 0
const UPDATE = 2

/** Where a varUint8Array's bytes lie, moving the cursor past them. */
const payloadRange = (cursor: Cursor): [number, number] => {
  const before = cursor.pos
  const length = readVarUint(cursor)
  const start = cursor.pos
  cursor.pos = start + length
  if (cursor.pos > cursor.bytes.length) throw new RangeError(`truncated payload at ${before}`)
  return [start, cursor.pos]
}
const yWebsocket: ProtocolCodec = {
  path: (docId) => `/${encodeURIComponent(docId)}`,
  greeting: () => [],
  openReplies: 1, // sync step 1
  open: () => [],
  update: (_docId, update) => bytes(SYNC, UPDATE, varBytes(update)),
  broadcastUpdate(message) {
    if (message[0] !== SYNC || message[1] !== UPDATE) return null
    return payloadRange({ bytes: message, pos: 2 })
  },
}

/** Hocuspocus's message types (@hocuspocus/server `MessageType`) and its auth sub-type for a token. */
const HOCUSPOCUS_AUTH = 2
const AUTH_TOKEN = 0

const hocuspocus: ProtocolCodec = {
  path: () => '/',
  greeting: () => [],
  openReplies: 3, // authenticated, then sync step 1 and step 2 once the document is set up
  open: (docId) => [
    bytes(varString(docId), HOCUSPOCUS_AUTH, AUTH_TOKEN, varString('')),
    bytes(varString(docId), SYNC, STEP1, varBytes(Uint8Array.of(0))),
  ],
  update: (docId, update) => bytes(varString(docId), SYNC, UPDATE, varBytes(update)),
  broadcastUpdate(message) {
    const cursor: Cursor = { bytes: message, pos: 0 }
    skipVarBytes(cursor)
    if (message[cursor.pos] !== SYNC || message[cursor.pos + 1] !== UPDATE) return null
    cursor.pos += 2
    return payloadRange(cursor)
  },
}

/** `MessageTag.sync` of @driftless/protocol. */
const DRIFTLESS_SYNC = 5

const driftless: ProtocolCodec = {
  path: () => '/',
  subprotocol: 'driftless',
  greeting: () => [encodeMessage({ type: 'hello', version: PROTOCOL_VERSION, token: '' })],
  openReplies: 2, // sync step 2, then step 1
  open: (docId) => [encodeMessage({ type: 'subscribe', docId, stateVector: Uint8Array.of(0) })],
  // Every write asks for the relay's durable ack, as a replica's do.
  update: (docId, update, sequence) => encodeMessage({ type: 'update', docId, update, ackId: sequence }),
  keepAlive: encodeMessage({ type: 'ping', nonce: 1 }),
  broadcastUpdate(message) {
    if (message[0] !== DRIFTLESS_SYNC) return null
    const cursor: Cursor = { bytes: message, pos: 1 }
    skipVarBytes(cursor)
    if (message[cursor.pos] !== UPDATE) return null
    cursor.pos++
    return payloadRange(cursor)
  },
}

export const CODECS: Record<WireProtocol, ProtocolCodec> = { driftless, 'y-websocket': yWebsocket, hocuspocus }
