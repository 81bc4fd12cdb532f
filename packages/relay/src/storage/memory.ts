import { StorageError } from '../adapter-errors.js'
import type { PendingWrite, RelayStorage, StoredUpdate } from './types.js'

/**
 * Keeps every document in this process's memory: nothing survives a restart. For tests and demos.
 * Resolves `append` at once, so an ack from a relay on this storage only means "accepted".
 */
export const createMemoryStorage = (): RelayStorage => {
  const docs = new Map<string, StoredUpdate[]>()
  let nextId = 1
  let closed = false
  const assertOpen = (): void => {
    if (closed) throw new StorageError('closed', 'memory storage is closed')
  }
  return {
    async load(docId) {
      assertOpen()
      return (docs.get(docId) ?? []).map(row => ({ id: row.id, update: row.update.slice() }))
    },
    async append(writes: readonly PendingWrite[]) {
      assertOpen()
      for (const write of writes) {
        let rows = docs.get(write.docId)
        if (rows === undefined) docs.set(write.docId, (rows = []))
        rows.push({ id: nextId++, update: write.update.slice() })
      }
    },
    async replace(docId, ids, merged) {
      assertOpen()
      const drop = new Set(ids)
      const kept = (docs.get(docId) ?? []).filter(row => !drop.has(row.id))
      kept.push({ id: nextId++, update: merged.slice() })
      docs.set(docId, kept)
    },
    async close() {
      closed = true
      docs.clear()
    },
  }
}
