import type { Database } from 'better-sqlite3'
import { listBounds as bounds, type ListBounds } from './doc-order.js'
import type { SqliteWriter } from './sqlite-writer.js'
import { StorageError } from '../adapter-errors.js'
import type { DocumentSummary, RelayStorage, Tombstone } from './types.js'

/**
 * The lifecycle schema: a commit time per row (`at`, added to files written before it existed, whose rows
 * read as 0) and the tombstones of deleted documents.
 */
export const createLifecycleSchema = (db: Database): void => {
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(updates)').all()
  if (!columns.some(column => column.name === 'at')) db.exec('ALTER TABLE updates ADD COLUMN at INTEGER NOT NULL DEFAULT 0')
  db.exec('CREATE TABLE IF NOT EXISTS tombstones (doc_id TEXT PRIMARY KEY, deleted_at INTEGER NOT NULL) WITHOUT ROWID')
}

type Lifecycle = Pick<RelayStorage, 'listDocuments' | 'tombstone' | 'listTombstones' | 'deleteDocument' | 'restoreDocument'>

interface SummaryRow { id: string; bytes: number; updatedAt: number }
interface TombstoneRow { id: string; deletedAt: number }

/**
 * Reads run on the main thread (WAL readers never wait), deletions on the writer thread with every other
 * write, so a delete and the commits around it happen in one order.
 */
export const sqliteLifecycle = (db: Database, writer: SqliteWriter, isClosed: () => boolean): Lifecycle => {
  // Ids compare as their UTF-8 bytes (BINARY collation), so a prefix is a range: [prefix, upper bound).
  const documents = db.prepare<ListBounds, SummaryRow>(
    `SELECT doc_id AS id, sum(length(data)) AS bytes, max(at) AS updatedAt FROM updates
     WHERE doc_id >= :start AND NOT (:inclusive = 0 AND doc_id = :start) AND (:end IS NULL OR doc_id < :end)
     GROUP BY doc_id ORDER BY doc_id LIMIT :limit`,
  )
  const tombstones = db.prepare<ListBounds, TombstoneRow>(
    `SELECT doc_id AS id, deleted_at AS deletedAt FROM tombstones
     WHERE doc_id >= :start AND NOT (:inclusive = 0 AND doc_id = :start) AND (:end IS NULL OR doc_id < :end)
     ORDER BY doc_id LIMIT :limit`,
  )
  const selectTombstone = db.prepare<[string], TombstoneRow>('SELECT doc_id AS id, deleted_at AS deletedAt FROM tombstones WHERE doc_id = ?')
  const assertOpen = (): void => {
    if (isClosed()) throw new StorageError('closed', 'sqlite storage is closed')
  }
  return {
    async listDocuments(query): Promise<DocumentSummary[]> {
      assertOpen()
      return documents.all(bounds(query))
    },
    async tombstone(docId) {
      assertOpen()
      return selectTombstone.get(docId) ?? null
    },
    async listTombstones(query): Promise<Tombstone[]> {
      assertOpen()
      return tombstones.all(bounds(query))
    },
    deleteDocument: (docId, deletedAt, options) => writer.deleteDocument(docId, deletedAt, options?.outbox ?? []),
    restoreDocument: docId => writer.restoreDocument(docId),
  }
}
