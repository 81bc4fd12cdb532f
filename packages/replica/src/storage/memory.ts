import type { StorageAdapter, StoredDocument } from './types.js'

/**
 * Keeps documents in memory, for Node and tests. Share one instance between replicas to simulate a reload
 * (open a replica, close it, open another on the same adapter).
 */
export const createMemoryStorage = (): StorageAdapter => {
  const docs = new Map<string, StoredDocument>()
  let nextKey = 1
  let closed = false
  const check = () => {
    if (closed) throw new DOMException('the storage is closed', 'InvalidStateError')
  }
  /** A document's entries, without keeping a record for one never written. */
  const read = (docId: string): StoredDocument => {
    check()
    return docs.get(docId) ?? { log: [], pending: [] }
  }
  /** A document's entries, kept from now on: for writes. */
  const stored = (docId: string): StoredDocument => {
    const doc = read(docId)
    docs.set(docId, doc)
    return doc
  }
  return {
    async load(docId) {
      const { log, pending } = read(docId)
      return { log: [...log], pending: [...pending] }
    },
    async loadPending(docId) {
      return [...read(docId).pending]
    },
    async write(docId, write) {
      const doc = stored(docId)
      for (const update of write.log) doc.log.push({ key: nextKey++, update })
      const acked = new Set(write.acked)
      doc.pending = doc.pending.filter(({ key }) => !acked.has(key))
      return write.pending.map(({ update, changes }) => {
        const key = nextKey++
        doc.pending.push({ key, update, changes })
        return key
      })
    },
    async replace(docId, keys, merged) {
      const doc = stored(docId)
      const gone = new Set(keys)
      doc.log = doc.log.filter(({ key }) => !gone.has(key))
      doc.log.push({ key: nextKey++, update: merged })
    },
    async clear(docId) {
      check()
      docs.delete(docId)
    },
    async close() {
      closed = true
    },
  }
}
