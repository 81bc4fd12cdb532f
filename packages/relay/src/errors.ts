import { ErrorCode, errorCodeName } from '@driftless/protocol'

/**
 * A failure the relay reports to clients, typed with the protocol's `ErrorCode` (e.g. `storageFailure` when
 * a commit fails: the underlying error is its `cause`). Hooks such as `AckTarget.commitFailed` receive it.
 */
export class RelayError extends Error {
  override readonly name = 'RelayError'
  constructor(readonly code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${errorCodeName(code)}: ${message}`, options)
  }
}

/** Whether an error means "the document is deleted" (a room's load failure, a refused write). */
export const isDeleted = (error: unknown): boolean => error instanceof RelayError && error.code === ErrorCode.documentDeleted
