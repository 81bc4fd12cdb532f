import { createMemoryStorage, type ListQuery, type PendingWrite, type RelayStorage } from '../src/index.js'

/**
 * A storage (memory unless given one) whose commits wait until `release()`; `crash()` forgets everything not
 * yet committed, as kill -9 would.
 */
export class GatedStorage implements RelayStorage {
  constructor(readonly durable: RelayStorage = createMemoryStorage()) {}
  #open = true
  #dead = false
  #waiting: { writes: readonly PendingWrite[]; resolve: () => void; reject: (error: Error) => void }[] = []

  /** From now on, commits wait. */
  hold(): void {
    this.#open = false
  }

  /** Lets every waiting commit (and every later one) through. */
  async release(): Promise<void> {
    this.#open = true
    for (const waiting of this.#waiting.splice(0)) {
      await this.durable.append(waiting.writes)
      waiting.resolve()
    }
  }

  get waiting(): number {
    return this.#waiting.length
  }

  /** kill -9: commits still waiting never happen, and later ones fail until `revive()`. */
  crash(): void {
    this.#dead = true
    for (const waiting of this.#waiting.splice(0)) waiting.reject(new Error('crashed'))
  }

  /** A new process on the same storage: commits go through again. */
  revive(): void {
    this.#dead = false
    this.#open = true
  }

  load(docId: string) {
    return this.durable.load(docId)
  }

  append(writes: readonly PendingWrite[]): Promise<void> {
    if (this.#dead) return Promise.reject(new Error('the process is gone'))
    if (this.#open) return this.durable.append(writes)
    return new Promise((resolve, reject) => this.#waiting.push({ writes, resolve, reject }))
  }

  replace(docId: string, ids: readonly number[], merged: Uint8Array) {
    return this.durable.replace(docId, ids, merged)
  }

  close() {
    return this.durable.close()
  }

  // Document lifecycle: straight through.
  listDocuments(query: ListQuery) {
    return this.durable.listDocuments(query)
  }

  tombstone(docId: string) {
    return this.durable.tombstone(docId)
  }

  listTombstones(query: ListQuery) {
    return this.durable.listTombstones(query)
  }

  deleteDocument(docId: string, deletedAt: number) {
    return this.durable.deleteDocument(docId, deletedAt)
  }

  restoreDocument(docId: string) {
    return this.durable.restoreDocument(docId)
  }
}
