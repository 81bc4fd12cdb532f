/**
 * Typed error codes carried by `error` messages. Each names what went wrong and, in the README,
 * what a client should do about it.
 */
export const ErrorCode = {
  /** The frame could not be decoded. The connection is closed with `CloseCode.protocolError`. */
  malformedMessage: 1,
  /** The frame names a message type this version does not know. */
  unknownMessageType: 2,
  /** The client speaks a protocol version the relay does not. */
  unsupportedVersion: 3,
  /** No token, or a token that does not verify. */
  unauthorized: 4,
  /** The token expired; send `auth` with a fresh one. */
  tokenExpired: 5,
  /** The token does not grant this document. */
  forbidden: 6,
  /** The token grants only `read` on this document; the write was not stored or forwarded. */
  readOnly: 7,
  /** A message for a document the connection has not subscribed to. */
  notSubscribed: 8,
  /** The update is not a valid Yjs update; it was not stored or forwarded. */
  invalidUpdate: 9,
  // 10 is not used: a frame larger than `maxMessageBytes` closes the connection (`CloseCode.messageTooLarge`).
  /** Too many messages per second on this connection; the message was dropped. */
  rateLimited: 11,
  /** The connection already has `maxDocumentsPerConnection` documents open. */
  tooManyDocuments: 12,
  /** The relay could not commit the update; it was not acknowledged and must be sent again. */
  storageFailure: 13,
  /** The relay is shutting down or failed unexpectedly; reconnect. */
  internal: 14,
  /**
   * Presence over a limit (a state too large, too many states for the connection or the document, or a
   * client id another connection owns): those awareness states were dropped; the rest was applied.
   */
  awarenessLimit: 15,
  /**
   * The document was deleted on the relay: the subscription ended, the update was not stored. Stop syncing
   * it and clear the local copy; only an explicit restore on the relay makes the id usable again.
   */
  documentDeleted: 16,
  /** Version history: the document has no version with that id (never had, deleted by retention, or another document's). */
  versionNotFound: 17,
  /** Version history: a version name must be 1–256 bytes of UTF-8. Nothing was stored. */
  invalidVersionName: 18,
  /**
   * Version history: the relay could not compute the restore (it failed, or took longer than the relay's
   * `restoreTimeoutMs`). Nothing was stored or changed.
   */
  restoreFailed: 19,
} as const

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

/** Code → name, built on first use: nothing runs at import, and the relay's every refusal is one lookup. */
let errorNames: Map<number, string> | undefined
const names = (): Map<number, string> =>
  (errorNames ??= new Map(Object.entries(ErrorCode).map(([name, code]) => [code, name])))

/** The constant's name for a code (`'readOnly'` for 7), or `'unknown'`. */
export const errorCodeName = (code: number): string => names().get(code) ?? 'unknown'

export const isErrorCode = (code: number): code is ErrorCode => names().has(code)

/**
 * Websocket close codes the relay uses. 1000–1015 are the standard ones; 4000–4999 are Driftless's own.
 */
export const CloseCode = {
  normal: 1000,
  /** The relay is shutting down; reconnect (to another node, if there is one) with backoff. */
  goingAway: 1001,
  /** The client broke the protocol (an undecodable frame, a text frame); fix the client. */
  protocolError: 1002,
  /** The upgrade was refused by policy (origin). */
  policyViolation: 1008,
  /** A frame exceeded `maxMessageBytes`; the client must split its updates. */
  messageTooLarge: 1009,
  /** The relay failed on this connection (its document could not be loaded, a commit failed for a client without acks); reconnect and resync. */
  internalError: 1011,
  /** The relay is at `maxConnections`; reconnect with backoff. */
  tryAgainLater: 1013,
  /** No valid token was presented in time; fetch a token, then reconnect. */
  unauthorized: 4001,
  /** The token expired and no fresh one arrived in time; fetch a token, then reconnect. */
  tokenExpired: 4002,
  /** The client's protocol version is not supported; upgrade the client. */
  unsupportedVersion: 4003,
  /** The client read too slowly and its outgoing buffer passed `maxBufferedBytes`; reconnect and resync. */
  slowConsumer: 4004,
  /** The client sent messages faster than `maxMessagesPerSecond` for too long; reconnect with backoff. */
  rateLimited: 4005,
  /** No ping arrived within the heartbeat window; reconnect. */
  heartbeatTimeout: 4006,
  /** A y-websocket client's document was deleted on the relay; do not reconnect to it. */
  documentDeleted: 4007,
} as const

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode]
