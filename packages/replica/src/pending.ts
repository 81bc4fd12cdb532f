import * as Y from 'yjs'
import { UpdateRun } from './merge.js'
import type { PendingEntry } from './storage/types.js'

/** A local change (or a merged run of them) that the relay has not acknowledged. */
export interface PendingChange {
  /** Local order; `whenSynced` waits for every seq up to the one current at the call. */
  readonly seq: number
  /** Merged update; undefined while the change is still collecting edits (not yet sealed). */
  update: Uint8Array | undefined
  changes: number
  /** Key in storage once written; undefined while unsaved (or if storage fails). */
  key: number | undefined
  /** Being written to storage right now. */
  saving: boolean
}

/**
 * Pending bookkeeping: which local changes still await the relay's ack. Derived from storage on load (and
 * on every reconnect, to pick up what other tabs left), kept in memory between, so it survives reloads.
 */
export class PendingTracker {
  readonly #changes = new Map<number, PendingChange>()
  #open: { change: PendingChange; run: UpdateRun } | undefined
  #nextSeq = 1
  /** Keys acknowledged here whose deletion may not be stored yet: never adopt them again. */
  readonly #acknowledgedKeys = new Set<number>()
  #count = 0
  #waiters: Array<{ seq: number; resolve: () => void }> = []
  /** The document's state vector when the last change was sealed: the next change is everything after it. */
  #base: Uint8Array = Y.encodeStateVector(new Y.Doc())
  constructor(private readonly doc: Y.Doc, private readonly onCount: (count: number) => void) {}

  /** How many local changes await an ack. */
  get count(): number {
    return this.#count
  }

  /** Records one local transaction's update; runs of them merge into one change when sealed. */
  record(update: Uint8Array): void {
    if (!this.#open) {
      const change: PendingChange = { seq: this.#nextSeq++, update: undefined, changes: 0, key: undefined, saving: false }
      this.#changes.set(change.seq, change)
      this.#open = { change, run: new UpdateRun(this.#base) }
    }
    this.#open.run.add(update)
    this.#open.change.changes++
    this.#setCount(this.#count + 1)
  }

  /** Closes the change collecting edits, if any, and returns it with its merged update. */
  seal(): PendingChange | undefined {
    const open = this.#open
    if (!open) return undefined
    this.#open = undefined
    open.change.update = open.run.merge(this.doc)
    this.#base = Y.encodeStateVector(this.doc)
    return open.change
  }

  /**
   * The document now holds stored state that is not a local change (just loaded): later changes are
   * diffed from here. Skipped while a change is collecting edits, whose diff must reach back to its start.
   */
  rebase(): void {
    if (!this.#open) this.#base = Y.encodeStateVector(this.doc)
  }

  /** Takes in entries read from storage that this tracker does not know yet; returns them. */
  adopt(stored: readonly PendingEntry[]): PendingChange[] {
    const known = new Set([...this.#changes.values()].map((c) => c.key))
    const adopted: PendingChange[] = []
    for (const entry of stored) {
      if (known.has(entry.key) || this.#acknowledgedKeys.has(entry.key)) continue
      const change = { seq: this.#nextSeq++, update: entry.update, changes: entry.changes, key: entry.key, saving: false }
      this.#changes.set(change.seq, change)
      adopted.push(change)
      this.#setCount(this.#count + entry.changes)
    }
    return adopted
  }

  /** Sealed changes, oldest first. */
  sealed(): PendingChange[] {
    return [...this.#changes.values()].filter((c) => c.update !== undefined)
  }

  /** Sealed changes not yet written to storage nor being written. */
  unsaved(): PendingChange[] {
    return this.sealed().filter((c) => c.key === undefined && !c.saving)
  }

  has(seq: number): boolean {
    return this.#changes.has(seq)
  }

  /** The relay committed these changes: forget them and return their storage keys (to delete). */
  acknowledge(seqs: Iterable<number>): number[] {
    const keys: number[] = []
    for (const seq of seqs) {
      const change = this.#changes.get(seq)
      if (!change || change === this.#open?.change) continue
      this.#changes.delete(seq)
      if (change.key !== undefined) {
        keys.push(change.key)
        this.#acknowledgedKeys.add(change.key)
      }
      this.#setCount(this.#count - change.changes)
    }
    this.#release()
    return keys
  }

  /** A key stored after its change was acknowledged: its deletion is on the way, never adopt it. */
  forget(key: number): void {
    this.#acknowledgedKeys.add(key)
  }

  /** Resolves once every change recorded before the call is acknowledged. */
  whenAcknowledged(): Promise<void> {
    const seq = this.#nextSeq - 1
    if (!this.#hasUpTo(seq)) return Promise.resolve()
    return new Promise((resolve) => this.#waiters.push({ seq, resolve }))
  }

  #hasUpTo(seq: number): boolean {
    for (const key of this.#changes.keys()) if (key <= seq) return true
    return false
  }

  #release(): void {
    this.#waiters = this.#waiters.filter(({ seq, resolve }) => {
      if (this.#hasUpTo(seq)) return true
      resolve()
      return false
    })
  }

  #setCount(count: number): void {
    if (count === this.#count) return
    this.#count = count
    this.onCount(count)
  }
}
