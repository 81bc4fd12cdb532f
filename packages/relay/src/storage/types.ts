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
}
