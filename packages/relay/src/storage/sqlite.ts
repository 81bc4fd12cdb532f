import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import type { PendingWrite, RelayStorage, StoredUpdate } from './types.js'

/** Options of the SQLite storage. */
export interface SqliteStorageOptions {
  /** The database file; its directory is created if missing. */
  path: string
  /**
   * SQLite's `synchronous` setting (the journal is always WAL). `full` fsyncs the WAL on every commit, so
   * an acknowledged update survives a power loss as well as `kill -9`; `normal` survives `kill -9` (the WAL
   * is in the OS page cache) but may lose the last commits on a power loss or kernel crash.
   * @default 'full'
   */
  synchronous?: 'full' | 'normal'
}

interface Row { id: number; update: Buffer }

/**
 * One SQLite file holding every document's update log (better-sqlite3, WAL).
 *
 * better-sqlite3 is synchronous: a commit blocks the event loop for its fsync. The relay keeps that cost
 * flat by committing every update that arrived since the previous commit in one transaction (group commit),
 * so there is one fsync per batch, not per update.
 */
export const createSqliteStorage = (options: SqliteStorageOptions): RelayStorage => {
  mkdirSync(dirname(options.path), { recursive: true })
  const db = new Database(options.path)
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`)
  db.pragma('busy_timeout = 5000')
  // AUTOINCREMENT: ids are never reused, so a compaction naming old ids can never delete a newer row.
  db.exec(`
    CREATE TABLE IF NOT EXISTS updates (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      doc_id TEXT NOT NULL,
      data BLOB NOT NULL
    );
    CREATE INDEX IF NOT EXISTS updates_by_doc ON updates (doc_id, id);
  `)
  const selectDoc = db.prepare<[string], Row>('SELECT id, data AS "update" FROM updates WHERE doc_id = ? ORDER BY id')
  const insert = db.prepare<[string, Uint8Array]>('INSERT INTO updates (doc_id, data) VALUES (?, ?)')
  const deleteRow = db.prepare<[string, number]>('DELETE FROM updates WHERE doc_id = ? AND id = ?')
  const appendAll = db.transaction((writes: readonly PendingWrite[]) => {
    for (const write of writes) insert.run(write.docId, write.update)
  })
  const replaceRows = db.transaction((docId: string, ids: readonly number[], merged: Uint8Array) => {
    for (const id of ids) deleteRow.run(docId, id)
    insert.run(docId, merged)
  })
  let closed = false
  return {
    async load(docId): Promise<StoredUpdate[]> {
      return selectDoc.all(docId).map(row => ({
        id: row.id,
        update: new Uint8Array(row.update.buffer, row.update.byteOffset, row.update.byteLength),
      }))
    },
    async append(writes) {
      if (writes.length > 0) appendAll(writes)
    },
    async replace(docId, ids, merged) {
      replaceRows(docId, ids, merged)
    },
    async close() {
      if (closed) return
      closed = true
      db.close()
    },
  }
}
