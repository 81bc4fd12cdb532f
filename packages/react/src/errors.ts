/**
 * What went wrong in the bindings themselves (the replica's own errors stay `ReplicaError`s).
 * - `conflicting-options`: a component asked for a document that is already open with another relay, storage,
 *   database or channel prefix. One document is one replica per page: give both the same options.
 * - `open-failed`: `openReplica` (or `openEventLog`) threw, e.g. no `WebSocket` in this environment.
 * - `not-ready`: `emit` was called before the event log was open (it opens once the replica has loaded).
 */
export type ReactBindingErrorCode = 'conflicting-options' | 'open-failed' | 'not-ready'

/** An error of `@driftless/react`; reaches `onError` and `useReplicaError` like the replica's own errors. */
export class ReactBindingError extends Error {
  override readonly name = 'ReactBindingError'
  constructor(readonly code: ReactBindingErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}
