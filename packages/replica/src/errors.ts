import { ErrorCode, errorCodeName } from '@driftless/protocol'

/**
 * What went wrong, as a stable string. The README lists what to do about each.
 * - `storage-quota`: the browser refused to store more (QuotaExceededError). Edits stay in memory and still
 *   sync; free space or ask for persistence, storage catches up on its own.
 * - `storage-unavailable`: IndexedDB is missing, closed under us, lost (Safari) or blocked by an upgrade.
 *   Edits stay in memory and still sync; the replica retries with backoff.
 * - `unauthorized`: the relay refused the token or it expired. Provide a fresh token (a `token` function is
 *   called again on every reconnect and before expiry).
 * - `forbidden`: the token does not grant this document. Do not retry with the same token.
 * - `read-only`: the token grants only reading; local writes are kept locally but not sent.
 * - `relay-busy`: the relay could not commit an update now (storage failure, rate limit); it is resent with backoff.
 * - `relay-rejected`: the relay refused a message for another reason (invalid update, too large, too many
 *   documents, unsupported version). Usually a bug or a limit to raise on the relay.
 * - `offline`: a version-history request needs the relay and the replica is not connected (or the connection
 *   dropped before the answer). Nothing is queued; ask again once `status` is `syncing` or `synced`.
 * - `version-not-found`: no such version of this document (deleted by retention, or another document's).
 * - `invalid-version-name`: a version name must be 1–256 bytes of UTF-8.
 * - `restore-failed`: the relay could not compute the restore (it failed or ran out of time); nothing changed.
 * - `websocket-missing`: a relay is configured but there is no WebSocket here (Node without the `WebSocket`
 *   option). The replica works locally; pass `WebSocket` (Node: `ws`).
 */
export type ReplicaErrorCode =
  | 'storage-quota'
  | 'storage-unavailable'
  | 'unauthorized'
  | 'forbidden'
  | 'read-only'
  | 'relay-busy'
  | 'relay-rejected'
  | 'offline'
  | 'version-not-found'
  | 'invalid-version-name'
  | 'restore-failed'
  | 'websocket-missing'

/** Every error a replica reports, through `on('error')` or a rejected promise. */
export class ReplicaError extends Error {
  override readonly name = 'ReplicaError'
  constructor(readonly code: ReplicaErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

/** The relay's `error` message, as the app hears it: the kind of problem, and the relay's words. */
export const relayError = (code: number, text: string): ReplicaError => new ReplicaError(
  code === ErrorCode.unauthorized || code === ErrorCode.tokenExpired ? 'unauthorized'
    : code === ErrorCode.storageFailure || code === ErrorCode.rateLimited ? 'relay-busy' : 'relay-rejected',
  `relay: ${errorCodeName(code)}: ${text}`,
)

/** Maps whatever IndexedDB (or a custom adapter) threw to a typed error. */
export const toStorageError = (error: unknown): ReplicaError => {
  if (error instanceof ReplicaError) return error
  // DOMExceptions are not Errors everywhere; their name says what failed (VersionError, InvalidStateError…).
  const name = (error as { name?: unknown } | null)?.name
  const message = error instanceof Error ? error.message : String(error)
  if (name === 'QuotaExceededError' || /quota/i.test(message)) {
    return new ReplicaError('storage-quota', `local storage is full: ${message}`, { cause: error })
  }
  const why = typeof name === 'string' && name !== '' && name !== 'Error' ? `${name}: ${message}` : message
  return new ReplicaError('storage-unavailable', `local storage failed: ${why}`, { cause: error })
}
