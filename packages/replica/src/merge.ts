import * as Y from 'yjs'

/**
 * Merges stored updates into one. Y.mergeUpdates slows down badly on many rows (5 s for 10,000 tiny ones);
 * applying them to a scratch document in one transaction and encoding its state is linear.
 */
export const mergeRows = (updates: readonly Uint8Array[]): Uint8Array => {
  if (updates.length === 1) return updates[0]!
  const scratch = new Y.Doc()
  scratch.transact(() => {
    for (const update of updates) Y.applyUpdate(scratch, update)
  })
  const merged = Y.encodeStateAsUpdate(scratch)
  scratch.destroy()
  return merged
}

/** Up to this many updates, Y.mergeUpdates is cheaper than encoding the document's diff. */
const MERGE_DIRECTLY_MAX = 32

/**
 * The updates applied to a document since it had state vector `since`, to be stored or sent as one. A few
 * are kept and merged directly; past that they are dropped and replaced, when merged, by the document's diff
 * since `since`, which holds the same edits (plus any others made meanwhile, harmlessly) and costs one walk
 * of the document however many updates there were. So a burst of 10,000 tiny transactions keeps nothing alive.
 */
export class UpdateRun {
  #updates: Uint8Array[] = []
  #count = 0

  constructor(readonly since: Uint8Array) {}

  get isEmpty(): boolean {
    return this.#count === 0
  }

  add(update: Uint8Array): void {
    this.#count++
    if (this.#count <= MERGE_DIRECTLY_MAX) this.#updates.push(update)
    else this.#updates.length = 0
  }

  /** Takes in a later run on the same document. */
  absorb(later: UpdateRun): void {
    for (const update of later.#updates) this.add(update)
    if (later.#count > later.#updates.length) this.#count += MERGE_DIRECTLY_MAX + 1
    if (this.#count > MERGE_DIRECTLY_MAX) this.#updates.length = 0
  }

  /** One update holding the whole run. */
  merge(doc: Y.Doc): Uint8Array {
    if (this.#count > MERGE_DIRECTLY_MAX) return Y.encodeStateAsUpdate(doc, this.since)
    return this.#updates.length === 1 ? this.#updates[0]! : Y.mergeUpdates(this.#updates)
  }
}
