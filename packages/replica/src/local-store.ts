import * as Y from 'yjs'
import { Backoff } from './connection/backoff.js'
import { toStorageError, type ReplicaError } from './errors.js'
import { Emitter } from './events.js'
import { mergeRows, UpdateRun } from './merge.js'
import type { StorageAdapter } from './storage/types.js'

export interface LocalStoreEvents {
  /** Everything queued so far is committed. */
  saved(): void
  error(error: ReplicaError): void
}

/** Pending entries to add and delete, written in the same transaction as the log rows queued with them. */
export interface PendingWrite {
  pending: Array<{ update: Uint8Array; changes: number }>
  acked: number[]
}

/** A queued pending write: `attempted` settles after its first try (committed or failed), `keys` once committed. */
export interface QueuedWrite {
  readonly attempted: Promise<void>
  readonly keys: Promise<number[]>
}

interface Part {
  write: PendingWrite
  attempted(): void
  committed(keys: number[]): void
}

/**
 * Writes one document to its storage adapter: batched (one write per flush, one merged log row), serialized
 * (at most one write in flight; whatever is queued meanwhile joins the next one), retried with backoff on
 * failure (the merged backlog is kept in memory), and compacted past a threshold. It knows nothing of what
 * pending entries mean: their owner queues them with `writePending`.
 */
export class LocalStore extends Emitter<LocalStoreEvents> {
  /** Updates not yet written: everything since the last write's state vector. */
  #log = new UpdateRun(Y.encodeStateVector(new Y.Doc()))
  #parts: Part[] = []
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

  readonly #doc: Y.Doc
  readonly #storage: StorageAdapter
  readonly #docId: string
  /** Log rows past which the log is merged into one. */
  readonly #compactAfter: number

  constructor(doc: Y.Doc, storage: StorageAdapter, docId: string, compactAfter: number) {
    super()
    this.#doc = doc
    this.#storage = storage
    this.#docId = docId
    this.#compactAfter = compactAfter
  }

  /** Reads the document's log rows (their updates, oldest first). */
  async load(): Promise<Uint8Array[]> {
    const stored = await this.#storage.load(this.#docId)
    this.#rows = stored.log.length
    if (stored.log.length > this.#compactAfter) this.#chain(() => this.#compact())
    return stored.log.map((e) => e.update)
  }

  /** The document now holds the loaded state, already stored: the next log row need not repeat it. */
  rebase(): void {
    if (this.#log.isEmpty) this.#log = new UpdateRun(Y.encodeStateVector(this.#doc))
  }

  /** An update the document applied (a sealed local change, or one from the relay): stored in the log. */
  appendLog(update: Uint8Array): void {
    this.#log.add(update)
    this.#queued++
    this.#schedule()
  }

  /** Queues pending entries to add and delete; they join the next write, retried until committed. */
  writePending(write: PendingWrite): QueuedWrite {
    let attempted!: () => void
    let committed!: (keys: number[]) => void
    const queued: QueuedWrite = {
      attempted: new Promise<void>((resolve) => { attempted = resolve }),
      keys: new Promise<number[]>((resolve) => { committed = resolve }),
    }
    this.#parts.push({ write, attempted, committed })
    this.#queued++
    this.#schedule()
    return queued
  }

  /** Resolves once everything queued before the call is committed to storage. */
  whenSaved(): Promise<void> {
    const gen = this.#queued
    if (this.#saved >= gen) return Promise.resolve()
    return new Promise((resolve) => this.#waiters.push({ gen, resolve }))
  }

  /** Writes what is queued, then stops. Waiters of writes that cannot complete are released. */
  async close(): Promise<void> {
    clearTimeout(this.#retryTimer)
    this.#retryTimer = undefined
    if (!this.#failing) await this.#flush()
    await this.#flushing
    this.#closed = true
    for (const part of this.#parts) part.attempted()
    for (const { resolve } of this.#waiters) resolve()
    this.#waiters = []
    this.clear()
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
    const next = previous.then(work).catch((error: unknown) => this.emit('error', toStorageError(error)))
    this.#flushing = next
    void next.then(() => { if (this.#flushing === next) this.#flushing = undefined })
  }

  #flush(): Promise<void> {
    this.#chain(() => this.#writeBatch())
    return this.#flushing ?? Promise.resolve()
  }

  async #writeBatch(): Promise<void> {
    if (this.#failing) {
      // Storage is down: the backlog waits for the retry, but what is queued may leave the replica meanwhile.
      for (const part of this.#parts) part.attempted()
      return
    }
    const gen = this.#queued
    const log = this.#log
    const parts = this.#parts
    if (log.isEmpty && parts.length === 0) return this.#markSaved(gen, false)
    this.#log = new UpdateRun(Y.encodeStateVector(this.#doc))
    this.#parts = []
    // One row per flush.
    const merged = log.isEmpty ? [] : [log.merge(this.#doc)]
    try {
      const keys = await this.#storage.write(this.#docId, {
        log: merged,
        pending: parts.flatMap((part) => part.write.pending),
        acked: parts.flatMap((part) => part.write.acked),
      })
      let next = 0
      for (const part of parts) {
        part.committed(keys.slice(next, (next += part.write.pending.length)))
        part.attempted()
      }
      this.#rows += merged.length
      this.#failing = false
      this.#backoff.reset()
      this.#markSaved(gen, true)
      // After this write (and after the change has left): a failed compaction loses nothing, it only waits.
      if (this.#rows > this.#compactAfter) this.#chain(() => this.#compact())
    } catch (error) {
      // Keep the backlog (merged) for the retry; memory and the relay still have every edit.
      log.absorb(this.#log)
      this.#log = log
      this.#parts = [...parts, ...this.#parts]
      for (const part of parts) part.attempted()
      this.#failing = true
      this.emit('error', toStorageError(error))
      this.#retryLater()
    }
  }

  async #compact(): Promise<void> {
    const stored = await this.#storage.load(this.#docId)
    if (stored.log.length <= 1) return
    await this.#storage.replace(this.#docId, stored.log.map((e) => e.key), mergeRows(stored.log.map((e) => e.update)))
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
    if (wrote && this.#saved >= this.#queued) this.emit('saved')
  }
}
