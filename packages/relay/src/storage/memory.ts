import { StorageError } from '../adapter-errors.js'
import { createMemoryVersions } from './memory-versions.js'
import { MemoryOutbox } from './memory-outbox.js'
import { compareDocIds } from './doc-order.js'
import type { DocumentSummary, ListQuery, PendingWrite, RelayStorage, StoredUpdate, Tombstone } from './types.js'

interface MemoryRow extends StoredUpdate {
  at: number
}

/**
 * Keeps every document in this process's memory: nothing survives a restart. For tests and demos.
 * Resolves `append` at once, so an ack from a relay on this storage only means "accepted".
 */
export const createMemoryStorage = (): RelayStorage => {
  const docs = new Map<string, MemoryRow[]>()
  const tombstones = new Map<string, number>()
  let nextId = 1
  let closed = false
  const assertOpen = (): void => {
    if (closed) throw new StorageError('closed', 'memory storage is closed')
  }
  /** Ids matching a list query, in storage order. */
  const page = (ids: Iterable<string>, { prefix = '', after, limit }: ListQuery): string[] =>
    [...ids]
      .filter(id => id.startsWith(prefix) && (after === undefined || compareDocIds(id, after) > 0))
      .sort(compareDocIds)
      .slice(0, limit)
  const outbox = new MemoryOutbox(assertOpen)
  const versions = createMemoryVersions(assertOpen)
  return {
    async load(docId) {
      assertOpen()
      return (docs.get(docId) ?? []).map(row => ({ id: row.id, update: row.update.slice() }))
    },
    async append(writes: readonly PendingWrite[], options) {
      assertOpen()
      const at = Date.now()
      outbox.add(options?.outbox ?? [])
      for (const write of writes) {
        if (tombstones.has(write.docId)) continue
        let rows = docs.get(write.docId)
        if (rows === undefined) docs.set(write.docId, (rows = []))
        rows.push({ id: nextId++, update: write.update.slice(), at })
        if (write.author !== undefined) versions.recordAuthor(write.docId, write.author)
      }
    },
    async replace(docId, ids, merged) {
      assertOpen()
      if (tombstones.has(docId)) return
      const drop = new Set(ids)
      const rows = docs.get(docId) ?? []
      const at = Math.max(0, ...rows.filter(row => drop.has(row.id)).map(row => row.at))
      const kept = rows.filter(row => !drop.has(row.id))
      kept.push({ id: nextId++, update: merged.slice(), at })
      docs.set(docId, kept)
    },
    outbox,
    versions,
    async close() {
      closed = true
      docs.clear()
      tombstones.clear()
      outbox.clear()
      versions.clear()
    },

    // Document lifecycle and admin reads.
    async listDocuments(query): Promise<DocumentSummary[]> {
      assertOpen()
      return page(docs.keys(), query).map(id => {
        const rows = docs.get(id)!
        return { id, bytes: rows.reduce((sum, row) => sum + row.update.length, 0), updatedAt: Math.max(...rows.map(row => row.at)) }
      })
    },
    async tombstone(docId) {
      assertOpen()
      const deletedAt = tombstones.get(docId)
      return deletedAt === undefined ? null : { id: docId, deletedAt }
    },
    async listTombstones(query): Promise<Tombstone[]> {
      assertOpen()
      return page(tombstones.keys(), query).map(id => ({ id, deletedAt: tombstones.get(id)! }))
    },
    async deleteDocument(docId, deletedAt, options) {
      assertOpen()
      outbox.add(options?.outbox ?? [])
      docs.delete(docId)
      versions.forget(docId)
      if (!tombstones.has(docId)) tombstones.set(docId, deletedAt)
    },
    async restoreDocument(docId) {
      assertOpen()
      return tombstones.delete(docId)
    },
  }
}
