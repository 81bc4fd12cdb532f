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
 * One update holding `updates`, all applied to `doc` since it had state vector `since`. A few are merged
 * directly; many are replaced by the document's diff since `since`, which holds the same edits (plus any
 * others made meanwhile, harmlessly) and costs one walk of the document however many updates there are.
 */
export const mergeRun = (updates: readonly Uint8Array[], doc: Y.Doc, since: Uint8Array): Uint8Array => {
  if (updates.length === 1) return updates[0]!
  if (updates.length <= MERGE_DIRECTLY_MAX) return Y.mergeUpdates([...updates])
  return Y.encodeStateAsUpdate(doc, since)
}
