import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import type BetterSqlite3 from 'better-sqlite3'
import { StorageError } from '../adapter-errors.js'
import { createLifecycleSchema, sqliteLifecycle } from './sqlite-lifecycle.js'
import { SqliteOutbox } from './sqlite-outbox.js'
import { OUTBOX_SCHEMA } from './sqlite-outbox-schema.js'
import { SqliteWriter } from './sqlite-writer.js'
import type { RelayStorage, StoredUpdate } from './types.js'

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

/** The driver is loaded on first use: a relay on PostgreSQL or memory should not carry it in memory. */
const loadSqlite = (): typeof BetterSqlite3 => createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3

/** Opens the file, or says why it cannot be opened (a directory in the way, no permission, not a database). */
const openDatabase = (path: string): BetterSqlite3.Database => {
  try {
    mkdirSync(dirname(path), { recursive: true })
    const db = new (loadSqlite())(path)
    db.pragma('journal_mode = WAL')
    db.pragma('busy_timeout = 5000')
    return db
  } catch (error) {
    throw new StorageError('operationFailed', `cannot open the SQLite file ${path}: ${(error as Error).message}`, { cause: error })
  }
}

/**
 * One SQLite file holding every document's update log (better-sqlite3, WAL).
 *
 * better-sqlite3 is synchronous, and a durable commit waits for an fsync (milliseconds to tens of
 * milliseconds). Writes therefore run on a worker thread with its own connection, while loads run on the
 * main thread (WAL readers never wait for the writer). Together with the relay's group commit this costs
 * one fsync per batch and never stalls fan-out.
 */
export const createSqliteStorage = (options: SqliteStorageOptions): RelayStorage => {
  const db = openDatabase(options.path)
  // AUTOINCREMENT: ids are never reused, so a compaction naming old ids can never delete a newer row.
  db.exec(`
    CREATE TABLE IF NOT EXISTS updates (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      doc_id TEXT NOT NULL,
      data BLOB NOT NULL
    );
    CREATE INDEX IF NOT EXISTS updates_by_doc ON updates (doc_id, id);
  `)
  createLifecycleSchema(db)
  db.exec(OUTBOX_SCHEMA)
  const outbox = new SqliteOutbox(() => openDatabase(options.path))
  const selectDoc = db.prepare<[string], Row>('SELECT id, data AS "update" FROM updates WHERE doc_id = ? ORDER BY id')
  const writer = new SqliteWriter(options.path, options.synchronous === 'normal' ? 'NORMAL' : 'FULL')
  let closing: Promise<void> | null = null
  return {
    async load(docId): Promise<StoredUpdate[]> {
      if (closing !== null) throw new StorageError('closed', 'sqlite storage is closed')
      let rows: Row[]
      try {
        rows = selectDoc.all(docId)
      } catch (error) {
        throw new StorageError('operationFailed', `sqlite load failed: ${(error as Error).message}`, { cause: error })
      }
      return rows.map(row => ({
        id: row.id,
        update: new Uint8Array(row.update.buffer, row.update.byteOffset, row.update.byteLength),
      }))
    },
    async append(writes, appendOptions) {
      const entries = appendOptions?.outbox ?? []
      if (writes.length > 0 || entries.length > 0) await writer.append(writes, entries)
    },
    outbox,
    replace(docId, ids, merged) {
      return writer.replace(docId, ids, merged)
    },
    close() {
      closing ??= writer.close().then(() => {
        outbox.close()
        db.close()
      })
      return closing
    },
    ...sqliteLifecycle(db, writer, () => closing !== null),
  }
}
