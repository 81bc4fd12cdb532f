import type { CommitOrigin } from '../hooks/types.js'
import type { AppendOptions, RelayOutbox } from './outbox-types.js'

/** One stored row of a document's update log. */
export interface StoredUpdate {
  /** Increasing per storage (not per document); opaque to the relay beyond ordering and `replace`. */
  id: number
  /** A Yjs update (v1 encoding); after compaction, the merge of many. */
  update: Uint8Array
}

/** One update to commit. */
export interface PendingWrite {
  docId: string
  update: Uint8Array
  /** Who sent it, for hooks (storage ignores it). @default { kind: 'server' } */
  origin?: CommitOrigin
}

/**
 * Where the relay keeps documents: an append-only log of Yjs updates per document, compacted now and then.
 * Implementations: `sqlite` (default), `memory`, `postgres`. Every one passes `runStorageContract`.
 */
export interface RelayStorage {
  /** Every stored update of a document, oldest first; `[]` for a document never written. */
  load(docId: string): Promise<StoredUpdate[]>
  /**
   * Commits all writes in one transaction. Resolves only once they are durable (the relay acks after this);
   * rejects having committed none of them. `options.outbox` entries commit in the same transaction.
   */
  append(writes: readonly PendingWrite[], options?: AppendOptions): Promise<void>
  /**
   * Compaction: atomically deletes exactly the rows `ids` of `docId` and stores `merged` (their merge) in
   * their place. Rows not named survive, even if they were appended after the `load` that chose `ids`, so two
   * compactions racing (on one node or on several) never lose an update.
   */
  replace(docId: string, ids: readonly number[], merged: Uint8Array): Promise<void>
  /** Webhook deliveries (see `RelayOutbox`); storages without it cannot be used with webhooks. */
  readonly outbox?: RelayOutbox
  /** Releases connections and files; pending operations finish first. */
  close(): Promise<void>

  // Document lifecycle and admin reads (see `lifecycle.ts`).

  /**
   * Documents holding at least one row, ordered by the UTF-8 bytes of their ids (the same order in every
   * adapter), starting after `query.after`, only ids starting with `query.prefix`.
   */
  listDocuments(query: ListQuery): Promise<DocumentSummary[]>
  /** The document's tombstone, or null when it is not deleted. */
  tombstone(docId: string): Promise<Tombstone | null>
  /** Tombstones in the same order and paging as `listDocuments` (for export). */
  listTombstones(query: ListQuery): Promise<Tombstone[]>
  /**
   * Atomically removes every row of the document and records its tombstone. From then on `append` and
   * `replace` store nothing for it, also when they were issued before (a commit queued before the delete, a
   * compaction racing it, another node's commit).
   */
  deleteDocument(docId: string, deletedAt: number, options?: AppendOptions): Promise<void>
  /** Removes the tombstone (the document starts empty again); false when there was none. */
  restoreDocument(docId: string): Promise<boolean>
}

/** Which documents `listDocuments` / `listTombstones` return. */
export interface ListQuery {
  /** Only ids starting with this. @default '' */
  prefix?: string
  /** Only ids after this one (the last id of the previous page). */
  after?: string
  /** At most this many. */
  limit: number
}

/** What the relay stores about a document, without its content. */
export interface DocumentSummary {
  id: string
  /** Bytes of its stored rows (before any compaction that is due). */
  bytes: number
  /** Unix milliseconds of its last committed update (0 for rows written before this was recorded). */
  updatedAt: number
}

/** What remains of a deleted document. */
export interface Tombstone {
  id: string
  /** Unix milliseconds. */
  deletedAt: number
}
