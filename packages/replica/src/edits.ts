import * as Y from 'yjs'
import type { LocalStore } from './local-store.js'
import { Origin } from './origins.js'
import type { PendingChanges } from './pending/changes.js'

/**
 * The document's two ways in. A local edit (any transaction the replica did not apply itself) becomes a
 * pending change; an update from the relay is applied and, by the one replica of the browser that got it
 * from the socket, stored as received.
 */
export class DocumentEdits {
  readonly #doc: Y.Doc
  readonly #pending: PendingChanges
  readonly #store: LocalStore

  constructor(doc: Y.Doc, pending: PendingChanges, store: LocalStore) {
    this.#doc = doc
    this.#pending = pending
    this.#store = store
    doc.on('update', this.#onUpdate)
  }

  /** Applies stored rows in one transaction: observers see the restored document once, not row by row. */
  applyFromStorage(rows: readonly Uint8Array[]): void {
    this.#doc.transact(() => {
      for (const row of rows) Y.applyUpdate(this.#doc, row, Origin.storage)
    }, Origin.storage)
  }

  /**
   * Applies what the relay sent and, if `store`, stores those very bytes. The `update` listener is off
   * meanwhile, so Yjs does not re-encode what we already hold (for a 4 MB first sync, hundreds of
   * milliseconds). A local change that an observer makes during the apply still counts: it is caught by
   * `afterTransaction` and recorded.
   */
  applyFromRelay(update: Uint8Array, store: boolean): void {
    // Nothing missing (the usual answer to a subscribe): nothing to apply, and no empty row to store.
    if (isEmptyUpdate(update)) return
    const madeMeanwhile: Y.Transaction[] = []
    const watch = (transaction: Y.Transaction): void => {
      if (transaction.origin !== Origin.relay && changedAnything(transaction)) madeMeanwhile.push(transaction)
    }
    this.#doc.off('update', this.#onUpdate)
    this.#doc.on('afterTransaction', watch)
    try {
      Y.applyUpdate(this.#doc, update, Origin.relay)
    } finally {
      this.#doc.off('afterTransaction', watch)
      this.#doc.on('update', this.#onUpdate)
    }
    if (store) this.#store.appendLog(update)
    for (const transaction of madeMeanwhile) {
      this.#onUpdate(Y.encodeStateAsUpdate(this.#doc, Y.encodeStateVector(transaction.beforeState)), transaction.origin)
    }
  }

  close(): void {
    this.#doc.off('update', this.#onUpdate)
  }

  readonly #onUpdate = (update: Uint8Array, origin: unknown): void => {
    // Stored already / stored and sent by its own tab / applied (and stored) by `applyFromRelay`.
    if (origin === Origin.storage || origin === Origin.otherTab || origin === Origin.relay) return
    this.#pending.record(update)
  }
}

/** A Yjs (v1) update of no structs and no deletions. */
const isEmptyUpdate = (update: Uint8Array): boolean => update.length === 2 && update[0] === 0 && update[1] === 0

/** Whether a transaction changed the document (what Yjs checks before emitting `update`). */
const changedAnything = (transaction: Y.Transaction): boolean => {
  if (transaction.deleteSet.clients.size > 0) return true
  for (const [client, clock] of transaction.afterState) if (transaction.beforeState.get(client) !== clock) return true
  return false
}
