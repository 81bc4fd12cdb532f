/** Why a history operation refused its input. */
export type HistoryErrorCode =
  /** A version or the current state is not a decodable Yjs update. */
  | 'invalidUpdate'
  /** A root type holds different kinds of content in the two states (e.g. text in one, map entries in the other). */
  | 'conflictingRootKinds'

/** Thrown by `restoreUpdate`, `diffVersions` and `versionToJson` on bad input; nothing was changed. */
export class HistoryError extends Error {
  readonly code: HistoryErrorCode
  constructor(code: HistoryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'HistoryError'
    this.code = code
  }
}
