import * as Y from 'yjs'
import { Emitter } from '../events.js'
import type { LocalStore } from '../local-store.js'
import { UpdateRun } from '../merge.js'
import { Origin } from '../origins.js'
import type { PendingEntry, StorageAdapter } from '../storage/types.js'

/** A sealed local change, ready to leave the replica. */
export interface SealedChange {
  /** Order on this replica; what an ack names. */
  readonly seq: number
  /** Every transaction of the change, merged. */
  readonly update: Uint8Array
}

/** Stored pending entries this replica added or deleted: what the other tabs of the device need to count. */
export interface PendingNote {
  readonly added: readonly number[]
  readonly removed: readonly number[]
}

export interface PendingEvents {
  /** The number of pending changes on this device changed. */
  count(count: number): void
  /**
   * A change was sealed and its first write settled (committed or failed): it goes to the other tabs, and to
   * the relay unless a handshake already covered it (in flight, or acknowledged: `has(seq)` is false then).
   */
  sealed(change: SealedChange): void
  /** This replica stored or deleted pending entries (after the write committed). */
  note(note: PendingNote): void
}

/** What the owner knows of one pending change. */
interface Change {
  readonly seq: number
  /** Its pending entry's key; undefined while the change is open or its write has not committed. */
  key: number | undefined
}

/**
 * The one owner of a document's pending changes: local changes the relay has not acknowledged, on this
 * device. It alone decides what pending entries are written and deleted, and it alone reads them from
 * storage. Everything else calls in: the document's edits are `record`ed, the sync session asks what a
 * handshake covers and `acknowledge`s, the tab channel passes on other tabs' `note`s. It tells back only
 * through its events.
 *
 * A change is everything recorded between two seals: all the transactions of one task (a keystroke, a
 * paste, a loop of a thousand edits) merge into one change, one stored entry, one update on the wire. The
 * count is the number of those on the device: this replica's and those other tabs have stored, learned
 * from their notes or from storage, so every tab of a device shows the same number.
 */
export class PendingChanges {
  readonly #events = new Emitter<PendingEvents>()
  /** Every pending change this replica knows, in seq order. */
  readonly #changes = new Map<number, Change>()
  readonly #byKey = new Map<number, Change>()
  /** Keys deleted on this device (acknowledged): never take them in again, whatever a late read says. */
  readonly #gone = new Set<number>()
  #open: { change: Change; run: UpdateRun; transactions: number } | undefined
  #nextSeq = 1
  #counted = 0
  #waiters: Array<{ seq: number; resolve: () => void }> = []
  /** The document's state vector when the last change was sealed: the next change is everything after it. */
  #base: Uint8Array = Y.encodeStateVector(new Y.Doc())
  #closed = false
  readonly #doc: Y.Doc
  readonly #storage: StorageAdapter
  readonly #docId: string
  readonly #store: LocalStore

  constructor(doc: Y.Doc, storage: StorageAdapter, docId: string, store: LocalStore) {
    this.#doc = doc
    this.#storage = storage
    this.#docId = docId
    this.#store = store
  }

  /** Adds a listener; returns the function that removes it. */
  on<E extends keyof PendingEvents>(event: E, listener: PendingEvents[E]): () => void {
    return this.#events.on(event, listener)
  }

  /** How many changes on this device await the relay's ack. */
  get count(): number {
    return this.#changes.size
  }

  /** Whether the change `seq` still awaits an ack. */
  has(seq: number): boolean {
    return this.#changes.has(seq)
  }

  /** Takes in the entries stored for the document (their content is in the log, loaded with it). */
  async load(): Promise<void> {
    this.#takeIn(await this.#read())
  }

  /**
   * Takes in the entries other tabs (or a closed one) left in storage and this replica does not know yet,
   * and applies them to the document, so the next handshake covers them.
   */
  async adopt(): Promise<void> {
    const adopted = this.#takeIn(await this.#read())
    if (adopted.length === 0 || this.#closed) return
    this.#doc.transact(() => {
      for (const entry of adopted) Y.applyUpdate(this.#doc, entry.update, Origin.storage)
    }, Origin.storage)
  }

  /** A local transaction: joins the open change, which is sealed at the end of the task. */
  record(update: Uint8Array): void {
    if (!this.#open) {
      const change: Change = { seq: this.#nextSeq++, key: undefined }
      this.#changes.set(change.seq, change)
      this.#open = { change, run: new UpdateRun(this.#base), transactions: 0 }
      queueMicrotask(() => this.seal())
      this.#countChanged()
    }
    this.#open.run.add(update)
    this.#open.transactions++
  }

  /** Closes the open change, if any: it is written (log row and pending entry in one write), then sent. */
  seal(): void {
    const open = this.#open
    if (!open) return
    this.#open = undefined
    const update = open.run.merge(this.#doc)
    this.#base = Y.encodeStateVector(this.#doc)
    this.#store.appendLog(update)
    void this.#save(open.change, update, open.transactions)
  }

  /**
   * The document now holds stored state that is not a local change (just loaded): later changes are
   * diffed from here. Skipped while a change is open, whose diff must reach back to its start.
   */
  rebase(): void {
    if (!this.#open) this.#base = Y.encodeStateVector(this.#doc)
  }

  /** What a handshake sent now covers: every change except the open one (its content is in the document). */
  covered(): number[] {
    const open = this.#open?.change
    return [...this.#changes.values()].filter((change) => change !== open).map((change) => change.seq)
  }

  /** The relay committed these changes: forget them and delete their entries. */
  acknowledge(seqs: Iterable<number>): void {
    const keys: number[] = []
    for (const seq of seqs) {
      const change = this.#changes.get(seq)
      if (!change || change === this.#open?.change) continue
      this.#changes.delete(seq)
      if (change.key !== undefined) keys.push(change.key)
      // A change acknowledged before its write committed: its key is deleted once it comes (see #save).
    }
    this.#delete(keys)
    this.#settled()
  }

  /** Another tab stored or deleted entries of this document. */
  learn(note: PendingNote): void {
    for (const key of note.removed) {
      this.#gone.add(key)
      const change = this.#byKey.get(key)
      if (change) this.#forget(change)
    }
    // The added entries' content came before the note, on the same channel: a handshake covers them.
    this.#takeIn(note.added.map((key) => ({ key })))
    this.#settled()
  }

  /** Resolves once every change pending at the call is acknowledged. */
  whenAcknowledged(): Promise<void> {
    const seq = this.#nextSeq - 1
    if (!this.#hasUpTo(seq)) return Promise.resolve()
    return new Promise((resolve) => this.#waiters.push({ seq, resolve }))
  }

  /**
   * Forgets every pending change of the document and deletes every stored entry (for a document that no
   * longer exists on the relay). Waiters are released.
   */
  async clear(): Promise<void> {
    this.#open = undefined
    const stored = await this.#read()
    const keys = new Set([...this.#byKey.keys(), ...stored.map((entry) => entry.key)])
    for (const change of [...this.#changes.values()]) this.#forget(change)
    this.#delete([...keys])
    this.#settled()
  }

  /** Stops taking in notes and reads; what is queued in the store is still written. */
  close(): void {
    this.#closed = true
    this.#events.clear()
  }

  async #save(change: Change, update: Uint8Array, transactions: number): Promise<void> {
    const write = this.#store.writePending({ pending: [{ update, changes: transactions }], acked: [] })
    await write.attempted
    // Always: a handshake acknowledged meanwhile took the change to the relay, but the other tabs have it only from here.
    this.#events.emit('sealed', { seq: change.seq, update })
    const [key] = await write.keys
    if (key === undefined) return
    const twin = this.#byKey.get(key)
    if (twin) {
      this.#forget(twin) // read back from storage before the write told us its key
      this.#settled()
    }
    if (!this.#changes.has(change.seq)) return this.#delete([key]) // acknowledged while being written
    change.key = key
    this.#byKey.set(key, change)
    this.#events.emit('note', { added: [key], removed: [] })
  }

  #delete(keys: number[]): void {
    if (keys.length === 0) return
    for (const key of keys) this.#gone.add(key)
    const write = this.#store.writePending({ pending: [], acked: keys })
    // Told once deleted: a tab that reads storage after the note never sees them again.
    void write.keys.then(() => this.#events.emit('note', { added: [], removed: keys }))
  }

  async #read(): Promise<PendingEntry[]> {
    const storage = this.#storage
    return storage.loadPending ? storage.loadPending(this.#docId) : (await storage.load(this.#docId)).pending
  }

  /** Adds the entries this replica does not know yet; returns them. */
  #takeIn<Entry extends { key: number }>(entries: readonly Entry[]): Entry[] {
    if (this.#closed) return []
    const added = entries.filter((entry) => !this.#byKey.has(entry.key) && !this.#gone.has(entry.key))
    for (const { key } of added) {
      const change: Change = { seq: this.#nextSeq++, key }
      this.#changes.set(change.seq, change)
      this.#byKey.set(key, change)
    }
    this.#countChanged()
    return added
  }

  #forget(change: Change): void {
    this.#changes.delete(change.seq)
    if (change.key !== undefined && this.#byKey.get(change.key) === change) this.#byKey.delete(change.key)
  }

  #hasUpTo(seq: number): boolean {
    for (const key of this.#changes.keys()) if (key <= seq) return true
    return false
  }

  /** Some changes left: tell the count and release the waiters they held. */
  #settled(): void {
    this.#countChanged()
    this.#waiters = this.#waiters.filter(({ seq, resolve }) => {
      if (this.#hasUpTo(seq)) return true
      resolve()
      return false
    })
  }

  #countChanged(): void {
    if (this.count === this.#counted) return
    this.#counted = this.count
    this.#events.emit('count', this.count)
  }
}
