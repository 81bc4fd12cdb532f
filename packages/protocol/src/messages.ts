import type { ErrorCode } from './codes.js'
import type { HistoryMessage } from './history.js'

/** The protocol version this package speaks. Bump on any incompatible change to the format. */
export const PROTOCOL_VERSION = 1

/** Largest document id, in UTF-8 bytes. */
export const MAX_DOC_ID_BYTES = 512

/** First byte of every frame. */
export const MessageTag = {
  hello: 0,
  welcome: 1,
  auth: 2,
  subscribe: 3,
  unsubscribe: 4,
  /** y-protocols sync: followed by its own sub-type (step 1, step 2, update), as in `y-protocols/sync`. */
  sync: 5,
  awareness: 6,
  ack: 7,
  error: 8,
  ping: 9,
  pong: 10,
  /** Version history (see `history.ts`): followed by `HISTORY_VERSION` and an operation. */
  history: 11,
} as const

/**
 * Version of the history messages' layout (after the tag, before the operation). A relay answers a request
 * in a layout it does not know with `version-error { unsupportedVersion }`.
 */
export const HISTORY_VERSION = 1

/** y-protocols' sync sub-types, kept identical so the payloads are y-protocols messages. */
export const SyncStep = { step1: 0, step2: 1, update: 2 } as const

/** Client → relay, first message: the version spoken and the token (empty when none). */
export interface Hello { type: 'hello'; version: number; token: string }
/** Relay → client, answer to `hello` and to every accepted `auth`. */
export interface Welcome {
  type: 'welcome'
  version: number
  /** When the accepted token expires, in Unix seconds; 0 when it never does. */
  expiresAt: number
}
/** Client → relay: a fresh token for the open connection (in-band refresh). */
export interface Auth { type: 'auth'; token: string }
/** Client → relay: open a document, with the client's state vector so the relay can answer with the diff. */
export interface Subscribe { type: 'subscribe'; docId: string; stateVector: Uint8Array }
export interface Unsubscribe { type: 'unsubscribe'; docId: string }
/** Either way: "this is my state vector, send me what I lack". */
export interface SyncStep1 { type: 'sync-step-1'; docId: string; stateVector: Uint8Array }
/**
 * Either way: the answer to step 1. From a client, `ackId > 0` asks for an `ack` once the relay
 * has committed it; 0 asks for none.
 */
export interface SyncStep2 { type: 'sync-step-2'; docId: string; update: Uint8Array; ackId: number }
/** Either way: a Yjs update. From a client, `ackId > 0` asks for an `ack` after the commit. */
export interface Update { type: 'update'; docId: string; update: Uint8Array; ackId: number }
/** Either way: a y-protocols awareness update. Never stored. */
/**
 * Either way: a y-protocols awareness update. From a client, one with no entries (`awarenessQuery()`) asks for
 * every presence state the relay holds for the document, as on subscribe (a relay that predates this ignores it).
 */
export interface Awareness { type: 'awareness'; docId: string; update: Uint8Array }

/** The awareness update with no entries: a client asking for every presence state of a document. */
export const awarenessQuery = (): Uint8Array => Uint8Array.of(0)
/** Relay → client: the update sent with `ackId` is committed to durable storage. */
export interface Ack { type: 'ack'; docId: string; ackId: number }
/**
 * Relay → client: something was refused. `docId` is empty for connection-wide errors; `ackId` names
 * the refused update, or is 0.
 */
export interface ErrorMessage { type: 'error'; docId: string; code: ErrorCode; message: string; ackId: number }
/** Application-level heartbeat, since browsers cannot send websocket pings. */
export interface Ping { type: 'ping'; nonce: number }
export interface Pong { type: 'pong'; nonce: number }

export type Message =
  | Hello | Welcome | Auth | Subscribe | Unsubscribe
  | SyncStep1 | SyncStep2 | Update | Awareness | Ack | ErrorMessage | Ping | Pong
  | HistoryMessage

export type MessageType = Message['type']

/** Messages that concern one document. */
export type DocMessage = Extract<Message, { docId: string }>

/**
 * A history message (tag 11) carried still encoded, with its document id read from the header: how a client
 * routes version history without the history codec (`encodeHistoryFrame` / `decodeHistoryFrame` read it).
 */
export interface HistoryFrame { type: 'history-frame'; docId: string; frame: Uint8Array }

/** What a client sends, as `encodeClientMessage` writes it. */
export type ClientMessage = Hello | Auth | Subscribe | Unsubscribe | SyncStep1 | SyncStep2 | Update | Awareness | Ping | HistoryFrame

/** What a relay sends, as `decodeRelayMessage` reads it. */
export type RelayMessage = Welcome | SyncStep1 | SyncStep2 | Update | Awareness | Ack | ErrorMessage | Pong | HistoryFrame
