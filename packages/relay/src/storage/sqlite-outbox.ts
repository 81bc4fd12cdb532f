import { setTimeout as sleep } from 'node:timers/promises'
import type Database from 'better-sqlite3'
import type { NewOutboxEntry, OutboxEntry, RelayOutbox, WebhookEventType } from './outbox-types.js'
import { StorageError } from '../adapter-errors.js'
import { OUTBOX_INSERT, toOutboxRow, type OutboxRow } from './sqlite-outbox-schema.js'

interface ClaimedRow {
  id: number
  event_id: string
  target: string
  type: WebhookEventType
  doc_id: string
  created_at: number
  due_at: number
  attempts: number
}

/** How often a statement that found the database locked is tried again before giving up. */
const BUSY_TRIES = 40

/**
 * The sender's side of the outbox, on its own connection on the main thread. It never waits for a lock
 * (`busy_timeout = 0`: a locked database is tried again a few ms later, off the event loop), never fsyncs
 * (`synchronous = NORMAL`: losing one of these small writes at a power cut only means sending an event
 * again) and never checkpoints. Leases are reset when it opens: one SQLite file serves one relay, so a
 * lease found at start belongs to a relay that died.
 */
export class SqliteOutbox implements RelayOutbox {
  private db: Database.Database | null = null
  private closed = false

  /** `connect` opens a new connection to the relay's database file. */
  constructor(private readonly connect: () => Database.Database) {}

  async claim(now: number, limit: number, leaseMs: number, targets: readonly string[]): Promise<OutboxEntry[]> {
    const rows = await this.run(db => db.prepare<[number, string, number, number, number], ClaimedRow>(`
      UPDATE webhook_outbox SET started = 1, attempts = attempts + 1, lease_until = ?
      WHERE id IN (
        SELECT id FROM webhook_outbox
        WHERE target IN (SELECT value FROM json_each(?)) AND due_at <= ? AND lease_until <= ?
        ORDER BY due_at LIMIT ?
      )
      RETURNING id, event_id, target, type, doc_id, created_at, due_at, attempts`)
      .all(now + leaseMs, JSON.stringify(targets), now, now, limit))
    return rows.map(row => ({
      id: row.id, eventId: row.event_id, target: row.target, type: row.type, docId: row.doc_id,
      createdAt: row.created_at, dueAt: row.due_at, attempts: row.attempts,
    }))
  }

  async remove(ids: readonly number[]): Promise<void> {
    await this.run(db => {
      const remove = db.prepare<[number]>('DELETE FROM webhook_outbox WHERE id = ?')
      db.transaction(() => {
        for (const id of ids) remove.run(id)
      })()
    })
  }

  async retry(id: number, dueAt: number): Promise<void> {
    await this.run(db => db.prepare<[number, number]>('UPDATE webhook_outbox SET due_at = ?, lease_until = 0 WHERE id = ?').run(dueAt, id))
  }

  async enqueue(entries: readonly NewOutboxEntry[]): Promise<void> {
    await this.run(db => {
      const insert = db.prepare<OutboxRow>(OUTBOX_INSERT)
      db.transaction(() => {
        for (const entry of entries) insert.run(...toOutboxRow(entry))
      })()
    })
  }

  close(): void {
    this.closed = true
    this.db?.close()
    this.db = null
  }

  private async run<T>(work: (db: Database.Database) => T): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      if (this.closed) throw new StorageError('closed', 'sqlite storage is closed')
      try {
        return work(this.open())
      } catch (error) {
        const code = (error as { code?: string }).code ?? ''
        if (!/^SQLITE_(BUSY|LOCKED)/.test(code) || attempt >= BUSY_TRIES) throw error
      }
      await sleep(2 + Math.random() * 10 * Math.min(attempt, 5))
    }
  }

  private open(): Database.Database {
    if (this.db !== null) return this.db
    const db = this.connect()
    db.pragma('busy_timeout = 0')
    db.pragma('synchronous = NORMAL')
    db.pragma('wal_autocheckpoint = 0')
    db.prepare('UPDATE webhook_outbox SET lease_until = 0 WHERE lease_until > 0').run()
    this.db = db
    return db
  }
}
