import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import type { PendingEntry, StorageAdapter, StoredDocument, StorageWrite } from './types.js'

/** Options of the SQLite adapter. */
export interface SqliteStorageOptions {
  /** The database file; its directory is created if missing. Adapters on the same file share the data. */
  path: string
  /**
   * SQLite's `synchronous` setting (the journal is always WAL). `full` fsyncs every write, so a saved change
   * survives a power loss; `normal` survives the process being killed, not a power loss.
   * @default 'full'
   */
  synchronous?: 'full' | 'normal'
}

interface UpdateRow { key: number; data: Buffer }
interface PendingRow extends UpdateRow { changes: number }

const bytes = (buffer: Buffer): Uint8Array => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)

/**
 * Stores documents in one SQLite file (better-sqlite3), for replicas in Node: a worker, a bot or a backend
 * service keeps its documents and its pending changes across restarts, exactly as a browser does in
 * IndexedDB. Writes are synchronous and short (one transaction per replica write); fine for a process that
 * holds a few documents, not for a server's hot path.
 * @example const replica = openReplica({ docId: 'orders', relay, storage: createSqliteStorage({ path: './data/replica.db' }), WebSocket })
 */
export const createSqliteStorage = (options: SqliteStorageOptions): StorageAdapter => {
  mkdirSync(dirname(options.path), { recursive: true })
  const db = new Database(options.path)
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`)
  // Another adapter (or process) on the same file may hold the write lock for a moment.
  db.pragma('busy_timeout = 5000')
  // AUTOINCREMENT: keys are never reused, so a compaction naming old keys never deletes a newer row.
  db.exec(`
    CREATE TABLE IF NOT EXISTS replica_updates (key INTEGER PRIMARY KEY AUTOINCREMENT, doc_id TEXT NOT NULL, data BLOB NOT NULL);
    CREATE INDEX IF NOT EXISTS replica_updates_by_doc ON replica_updates (doc_id, key);
    CREATE TABLE IF NOT EXISTS replica_pending (
      key INTEGER PRIMARY KEY AUTOINCREMENT, doc_id TEXT NOT NULL, data BLOB NOT NULL, changes INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS replica_pending_by_doc ON replica_pending (doc_id, key);
  `)
  const selectLog = db.prepare<[string], UpdateRow>('SELECT key, data FROM replica_updates WHERE doc_id = ? ORDER BY key')
  const selectPending = db.prepare<[string], PendingRow>('SELECT key, data, changes FROM replica_pending WHERE doc_id = ? ORDER BY key')
  const insertLog = db.prepare<[string, Uint8Array]>('INSERT INTO replica_updates (doc_id, data) VALUES (?, ?)')
  const insertPending = db.prepare<[string, Uint8Array, number]>('INSERT INTO replica_pending (doc_id, data, changes) VALUES (?, ?, ?)')
  const deletePending = db.prepare<[string, number]>('DELETE FROM replica_pending WHERE doc_id = ? AND key = ?')
  const deleteLog = db.prepare<[string, number]>('DELETE FROM replica_updates WHERE doc_id = ? AND key = ?')

  const pendingOf = (docId: string): PendingEntry[] =>
    selectPending.all(docId).map(row => ({ key: row.key, update: bytes(row.data), changes: row.changes }))
  const load = db.transaction((docId: string): StoredDocument => ({
    log: selectLog.all(docId).map(row => ({ key: row.key, update: bytes(row.data) })),
    pending: pendingOf(docId),
  }))
  const write = db.transaction((docId: string, change: StorageWrite): number[] => {
    for (const update of change.log) insertLog.run(docId, update)
    const keys = change.pending.map(({ update, changes }) => Number(insertPending.run(docId, update, changes).lastInsertRowid))
    for (const key of change.acked) deletePending.run(docId, key)
    return keys
  })
  const replace = db.transaction((docId: string, keys: readonly number[], merged: Uint8Array): void => {
    for (const key of keys) deleteLog.run(docId, key)
    insertLog.run(docId, merged)
  })

  const clearLog = db.prepare<[string]>('DELETE FROM replica_updates WHERE doc_id = ?')
  const clearPending = db.prepare<[string]>('DELETE FROM replica_pending WHERE doc_id = ?')
  const clear = db.transaction((docId: string): void => {
    clearLog.run(docId)
    clearPending.run(docId)
  })

  let closed = false
  /** Runs `work` unless closed; errors (and a closed adapter) reject rather than throw. */
  const run = async <T>(work: () => T): Promise<T> => {
    if (closed) throw new DOMException('the storage is closed', 'InvalidStateError')
    return work()
  }
  return {
    load: docId => run(() => load(docId)),
    loadPending: docId => run(() => pendingOf(docId)),
    write: (docId, change) => run(() => write(docId, change)),
    replace: (docId, keys, merged) => run(() => replace(docId, keys, merged)),
    clear: docId => run(() => clear(docId)),
    async close() {
      if (closed) return
      closed = true
      db.close()
    },
  }
}
