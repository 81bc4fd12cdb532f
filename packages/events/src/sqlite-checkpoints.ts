import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { randomId, type Checkpoint, type CheckpointStore } from './checkpoint-store.js'

/** Options of `sqliteCheckpoints`. */
export interface SqliteCheckpointsOptions {
  /** The database file; give it the replica's SQLite storage file to keep both together. */
  path: string
  /** Keeps the checkpoints of several documents in one file apart. @default 'default' */
  name?: string
}

/**
 * Checkpoints (and the device id) in a SQLite file, for handlers in Node: a worker that restarts resumes
 * where it stopped. Each save is one synchronous, fsynced transaction.
 * @example const log = await openEventLog(replica, { checkpoints: sqliteCheckpoints({ path: './data/replica.db', name: 'orders' }) })
 */
export function sqliteCheckpoints(options: SqliteCheckpointsOptions): CheckpointStore {
  const name = options.name ?? 'default'
  let db: Database.Database | undefined
  let closed = false
  const open = (): Database.Database => {
    if (closed) throw new Error('the checkpoint store is closed')
    if (db !== undefined) return db
    mkdirSync(dirname(options.path), { recursive: true })
    const opened = new Database(options.path)
    opened.pragma('journal_mode = WAL')
    opened.pragma('synchronous = FULL')
    opened.pragma('busy_timeout = 5000')
    opened.exec(`
      CREATE TABLE IF NOT EXISTS event_checkpoints (store TEXT NOT NULL, handler TEXT NOT NULL, checkpoint TEXT NOT NULL, PRIMARY KEY (store, handler));
      CREATE TABLE IF NOT EXISTS event_devices (store TEXT PRIMARY KEY, device TEXT NOT NULL);
    `)
    db = opened
    return opened
  }
  return {
    persistent: true,
    async deviceId() {
      const database = open()
      // Insert-if-absent then read, in one statement each: two openers still agree on one id.
      database.prepare('INSERT INTO event_devices (store, device) VALUES (?, ?) ON CONFLICT DO NOTHING').run(name, randomId())
      return (database.prepare('SELECT device FROM event_devices WHERE store = ?').get(name) as { device: string }).device
    },
    async load(handler) {
      const row = open().prepare('SELECT checkpoint FROM event_checkpoints WHERE store = ? AND handler = ?').get(name, handler) as
        { checkpoint: string } | undefined
      return row === undefined ? undefined : (JSON.parse(row.checkpoint) as Checkpoint)
    },
    async save(handler, checkpoint) {
      open().prepare('INSERT INTO event_checkpoints (store, handler, checkpoint) VALUES (?, ?, ?) ON CONFLICT (store, handler) DO UPDATE SET checkpoint = excluded.checkpoint')
        .run(name, handler, JSON.stringify(checkpoint))
    },
    async close() {
      closed = true
      db?.close()
      db = undefined
    },
  }
}
