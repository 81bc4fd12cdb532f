import { errorCodeName, type ErrorCode } from '@driftless/protocol'

/** An error a relay reports with a protocol `ErrorCode` (the same codes clients receive). */
export class RelayError extends Error {
  override readonly name = 'RelayError'
  constructor(readonly code: ErrorCode, message: string) {
    super(`${errorCodeName(code)}: ${message}`)
  }
}
