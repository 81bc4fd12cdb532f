/**
 * Why an admin request failed: the `error` field of every non-2xx JSON body, with its HTTP status.
 * `invalidUpdate` and `documentDeleted` carry the names of the protocol's error codes.
 */
export const AdminErrorStatus = {
  /** No `Authorization: Bearer …`, or a token that is neither the admin token nor an admin JWT. */
  unauthorized: 401,
  /** No such route (or admin is not configured: then every `/v1/…` path answers this). */
  notFound: 404,
  /** The route exists, not with this method. */
  methodNotAllowed: 405,
  /** The document has never been written (or was restored and not written since). */
  documentNotFound: 404,
  /** The document is deleted; only `POST /v1/docs/:id/restore` makes the id usable again. */
  documentDeleted: 410,
  /** Restore of a document that is not deleted. */
  notDeleted: 409,
  /** The id segment does not decode, is empty, longer than 512 bytes of UTF-8, or a bare `.`/`..` segment. */
  invalidDocId: 400,
  /** A query parameter is malformed (`limit`, `cursor`, `since`). */
  invalidQuery: 400,
  /** The body is not a valid Yjs update (v1); nothing was stored. */
  invalidUpdate: 400,
  /** A JSON body that does not parse. */
  invalidJson: 400,
  /** The body's `Content-Type` is not the one the route takes. */
  unsupportedMediaType: 415,
  /** The body is larger than `admin.maxBodyBytes`. */
  payloadTooLarge: 413,
  /** The relay is shutting down, or its storage failed; retry with backoff. */
  unavailable: 503,
} as const

export type AdminErrorCode = keyof typeof AdminErrorStatus

/** A refused admin request; the API answers `{ error: code, message }` with the code's status. */
export class AdminError extends Error {
  override readonly name = 'AdminError'
  constructor(readonly code: AdminErrorCode, message: string) {
    super(message)
  }

  get status(): number {
    return AdminErrorStatus[this.code]
  }
}
