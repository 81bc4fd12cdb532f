import * as Y from 'yjs'
import { Backoff } from './connection/backoff.js'
import { toStorageError, type ReplicaError } from './errors.js'
import { mergeRows, UpdateRun } from './merge.js'
import type { PendingChange, PendingTracker } from './pending.js'
import type { StorageAdapter } from './storage/types.js'

export interface LocalStoreHooks {
  /** A change was sealed and its write settled (committed or failed): it may leave the replica now. */
  sealed(change: PendingChange): void
  /** Everything queued so far is committed. */
  saved(): void
  error(error: ReplicaError): void
}

/**
 * Writes one document's changes to its storage adapter: batched (one write per flush, one merged row), serialized (at most one write in flight; edits meanwhile join the next one), retried with
 * backoff on failure (the merged backlog is kept in memory), and compacted past a threshold.
 */
export class LocalStore {
  /** Updates not yet written: everything since the last write's state vector. */
  #log = new UpdateRun(Y.encodeStateVector(new Y.Doc()))
  #acked: number[] = []
  #queued = 0
  #saved = 0
  #flushing: Promise<void> | undefined
  #scheduled = false
  #retryTimer: ReturnType<typeof setTimeout> | undefined
  #failing = false
  #waiters: Array<{ gen: number; resolve: () => void }> = []
  #rows = 0
  #closed = false
  readonly #backoff = new Backoff({ baseMs: 100, capMs: 5_000 })

  constructor(
    private readonly doc: Y.Doc,
    private readonly storage: StorageAdapter,
    private readonly docId: string,
    private readonly tracker: PendingTracker,
    private readonly hooks: LocalStoreHooks,
    /** Log rows past which the log is merged into one. */
    private readonly compactAfter: number,
  ) {}

  /** Reads the document in one go (log rows and pending entries) and adopts its pending entries. */
  async load(): Promise<Uint8Array[]> {
    const stored = await this.storage.load(this.docId)
    this.tracker.adopt(stored.pending)
    this.#rows = stored.log.length
    if (stored.log.length > this.compactAfter) this.#chain(() => this.#compact())
    return stored.log.map((e) => e.update)
  }

  /** The document now holds the loaded state, already stored: the next log row need not repeat it. */
  rebase(): void {
    this.tracker.rebase()
    if (this.#log.isEmpty) this.#log = new UpdateRun(Y.encodeStateVector(this.doc))
  }

  /** A local transaction: pending until acknowledged, and part of the log. */
  recordLocal(update: Uint8Array): void {
    this.tracker.record(update)
    this.appendLog(update)
  }

  /** An update from the relay: stored in the log only. */
  appendLog(update: Uint8Array): void {
    this.#log.add(update)
    this.#queued++
    this.#schedule()
  }

  /** Pending keys the relay acknowledged. */
  deletePending(keys: number[]): void {
    if (keys.length === 0) return
    this.#acked.push(...keys)
    this.#queued++
    this.#schedule()
  }

  /** Resolves once everything queued before the call is committed to storage. */
  whenSaved(): Promise<void> {
    const gen = this.#queued
    if (this.#saved >= gen) return Promise.resolve()
    return new Promise((resolve) => this.#waiters.push({ gen, resolve }))
  }

  /** Writes what is queued, then stops. Waiters of writes that cannot complete are released. */
  async close(): Promise<void> {
    if (this.#retryTimer) clearTimeout(this.#retryTimer)
    this.#retryTimer = undefined
    if (!this.#failing) await this.#flush()
    await this.#flushing
    this.#closed = true
    for (const { resolve } of this.#waiters) resolve()
    this.#waiters = []
  }

  #schedule(): void {
    if (this.#scheduled || this.#closed) return
    this.#scheduled = true
    queueMicrotask(() => {
      this.#scheduled = false
      void this.#flush()
    })
  }

  #chain(work: () => Promise<void>): void {
    const previous = this.#flushing ?? Promise.resolve()
    const next = previous.then(work).catch((error: unknown) => this.hooks.error(toStorageError(error)))
    this.#flushing = next
    void next.then(() => { if (this.#flushing === next) this.#flushing = undefined })
  }

  #flush(): Promise<void> {
    // Edits made while a write is in flight wait for it and go out together in the next one.
    this.#chain(() => this.#writeBatch())
    return this.#flushing ?? Promise.resolve()
  }

  async #writeBatch(): Promise<void> {
    const sealed = this.tracker.seal()
    if (this.#failing) {
      // Storage is down: the backlog waits for the retry, but the change still goes to tabs and the relay.
      if (sealed) this.hooks.sealed(sealed)
      return
    }
    const gen = this.#queued
    const log = this.#log
    const acked = this.#acked
    const changes = this.tracker.unsaved()
    if (log.isEmpty && acked.length === 0 && changes.length === 0) {
      this.#markSaved(gen, false)
      if (sealed) this.hooks.sealed(sealed)
      return
    }
    this.#log = new UpdateRun(Y.encodeStateVector(this.doc))
    this.#acked = []
    for (const change of changes) change.saving = true
    // One row per flush.
    const merged = log.isEmpty ? [] : [log.merge(this.doc)]
    try {
      const keys = await this.storage.write(this.docId, {
        log: merged,
        pending: changes.map((c) => ({ update: c.update!, changes: c.changes })),
        acked,
      })
      const ackedMeanwhile: number[] = []
      changes.forEach((change, i) => {
        change.key = keys[i]
        if (!this.tracker.has(change.seq) && change.key !== undefined) {
          this.tracker.forget(change.key)
          ackedMeanwhile.push(change.key)
        }
      })
      this.#rows += merged.length
      this.#failing = false
      this.#backoff.reset()
      this.#markSaved(gen, true)
      if (ackedMeanwhile.length > 0) this.deletePending(ackedMeanwhile)
      // After this write (and after the change has left): a failed compaction loses nothing, it only waits.
      if (this.#rows > this.compactAfter) this.#chain(() => this.#compact())
    } catch (error) {
      // Keep the backlog (merged) for the retry; memory and the relay still have every edit.
      log.absorb(this.#log)
      this.#log = log
      this.#acked = [...acked, ...this.#acked]
      this.#failing = true
      this.hooks.error(toStorageError(error))
      this.#retryLater()
    } finally {
      for (const change of changes) change.saving = false
      if (sealed) this.hooks.sealed(sealed)
    }
  }

  async #compact(): Promise<void> {
    const stored = await this.storage.load(this.docId)
    if (stored.log.length <= 1) return
    await this.storage.replace(this.docId, stored.log.map((e) => e.key), mergeRows(stored.log.map((e) => e.update)))
    this.#rows = 1
  }

  #retryLater(): void {
    if (this.#closed || this.#retryTimer) return
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined
      this.#failing = false
      void this.#flush()
    }, this.#backoff.next() + 50)
  }

  #markSaved(gen: number, wrote: boolean): void {
    this.#saved = Math.max(this.#saved, gen)
    this.#waiters = this.#waiters.filter(({ gen: wanted, resolve }) => {
      if (wanted > this.#saved) return true
      resolve()
      return false
    })
    if (wrote && this.#saved >= this.#queued) this.hooks.saved()
  }
}
