/** One row of a document's update log. */
export interface LogEntry {
  /** Unique within the adapter; opaque beyond naming the row for `replace`. */
  key: number
  /** A Yjs update (v1); after compaction, the merge of many. */
  update: Uint8Array
}

/** A local change the relay has not acknowledged yet. Also present in the log. */
export interface PendingEntry {
  /** Unique within the adapter, > 0. */
  key: number
  update: Uint8Array
  /** How many local transactions this entry merges (for inspection; `replica.pending` counts entries). */
  changes: number
}

/** Everything stored for one document, read in one go. */
export interface StoredDocument {
  log: LogEntry[]
  pending: PendingEntry[]
}

/** One atomic write. */
export interface StorageWrite {
  /** Updates to append to the log (already merged by the caller when it can). */
  log: Uint8Array[]
  /** New pending entries; their keys come back from `write`, in order. */
  pending: Array<{ update: Uint8Array; changes: number }>
  /** Keys of pending entries the relay acknowledged: delete them. */
  acked: number[]
}

/**
 * Where a replica keeps its documents. Implementations: `indexeddb` (browsers), `memory`, or your own;
 * every one must pass the storage contract (`runStorageContract` from `@driftless/replica/testing`).
 * All methods may reject; the replica reports the error, keeps the
 * data in memory and retries.
 */
export interface StorageAdapter {
  /** The document's log and pending entries, read consistently (one transaction); empty for a new document. */
  load(docId: string): Promise<StoredDocument>
  /**
   * Only the pending entries (read on every reconnect to pick up what other tabs left). Optional: without
   * it, `load` is used.
   */
  loadPending?(docId: string): Promise<PendingEntry[]>
  /** Commits the whole write atomically and returns the keys given to `write.pending`. */
  write(docId: string, write: StorageWrite): Promise<number[]>
  /**
   * Compaction: atomically deletes exactly the log rows `keys` and stores `merged` (their merge) in their
   * place. Rows not named survive, so concurrent compactions (several tabs) never lose an update.
   */
  replace(docId: string, keys: readonly number[], merged: Uint8Array): Promise<void>
  /**
   * Deletes everything stored for the document, log rows and pending entries, atomically (the relay deleted
   * it). Other documents are untouched.
   */
  clear(docId: string): Promise<void>
  /** Releases the adapter; later calls reject. */
  close(): Promise<void>
}
