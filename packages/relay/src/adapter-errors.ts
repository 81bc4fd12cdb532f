/**
 * The one error convention of storage adapters and brokers: each throws (or rejects with) its own typed error
 * whose `code` says what happened, with the engine's own error as `cause`. The relay turns either into a
 * `RelayError` (`storageFailure`, `internal`) for clients. Codes are documented in the README.
 */

/** Why a storage operation failed. */
export type StorageErrorCode =
  /** The adapter's options are wrong (thrown by its factory); fix the configuration. */
  | 'invalidOption'
  /** The storage was closed; the operation did not run. */
  | 'closed'
  /** The engine failed the operation (query error, lost connection, timeout, full disk); nothing of it was committed. */
  | 'operationFailed'

/** A failure with a documented `code`; the engine's own error, if any, is the `cause`. */
abstract class AdapterError<Code extends string> extends Error {
  constructor(readonly code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

/** Thrown by every `RelayStorage` adapter, built-in or custom (the storage contract checks it). */
export class StorageError extends AdapterError<StorageErrorCode> {
  override readonly name = 'StorageError'
}

/** Why a broker call failed. */
export type BrokerErrorCode =
  /** The broker was closed (or closed before the backend answered); the call did not complete. */
  | 'closed'
  /** Too many publishes wait for an unreachable backend (`maxPendingPublishes`); this one was dropped. */
  | 'backlog'
  /** The backend refused or failed the command. */
  | 'operationFailed'

/** Thrown by every `RelayBroker`, built-in or custom (the broker contract checks it). */
export class BrokerError extends AdapterError<BrokerErrorCode> {
  override readonly name = 'BrokerError'
}
