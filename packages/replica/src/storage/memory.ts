import type { LogEntry, PendingEntry, StorageAdapter, StorageWrite, StoredDocument } from './types.js'

/**
 * Keeps documents in memory, for Node and tests. Share one instance between replicas to simulate a reload
 * (open a replica, close it, open another on the same adapter).
 */
export const createMemoryStorage = (): StorageAdapter => {
  const logs = new Map<string, LogEntry[]>()
  const pendings = new Map<string, PendingEntry[]>()
  let nextKey = 1
  let closed = false
  const check = () => {
    if (closed) throw new DOMException('the storage is closed', 'InvalidStateError')
  }
  const listOf = <T>(map: Map<string, T[]>, docId: string): T[] => {
    let list = map.get(docId)
    if (!list) map.set(docId, (list = []))
    return list
  }
  return {
    async load(docId): Promise<StoredDocument> {
      check()
      return { log: [...(logs.get(docId) ?? [])], pending: [...(pendings.get(docId) ?? [])] }
    },
    async loadPending(docId) {
      check()
      return [...(pendings.get(docId) ?? [])]
    },
    async write(docId, write: StorageWrite) {
      check()
      const log = listOf(logs, docId)
      for (const update of write.log) log.push({ key: nextKey++, update })
      const pending = listOf(pendings, docId)
      const keys = write.pending.map(({ update, changes }) => {
        const key = nextKey++
        pending.push({ key, update, changes })
        return key
      })
      if (write.acked.length > 0) {
        const acked = new Set(write.acked)
        pendings.set(docId, pending.filter(({ key }) => !acked.has(key)))
      }
      return keys
    },
    async replace(docId, keys, merged) {
      check()
      const gone = new Set(keys)
      const log = (logs.get(docId) ?? []).filter(({ key }) => !gone.has(key))
      log.push({ key: nextKey++, update: merged })
      logs.set(docId, log)
    },
    async clear(docId) {
      check()
      logs.delete(docId)
      pendings.delete(docId)
    },
    async close() {
      closed = true
    },
  }
}
