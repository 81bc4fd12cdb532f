import type { NewOutboxEntry } from './outbox-types.js'

/**
 * The webhook outbox table. `started` marks entries claimed at least once: only entries not started absorb a
 * new one with the same target, type and document (the partial unique index), since a started one may
 * already have been seen by the receiver.
 */
export const OUTBOX_SCHEMA = `
  CREATE TABLE IF NOT EXISTS webhook_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    target TEXT NOT NULL,
    type TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_until INTEGER NOT NULL DEFAULT 0,
    started INTEGER NOT NULL DEFAULT 0
  );
  CREATE UNIQUE INDEX IF NOT EXISTS webhook_outbox_waiting ON webhook_outbox (target, type, doc_id) WHERE started = 0;
  CREATE INDEX IF NOT EXISTS webhook_outbox_due ON webhook_outbox (due_at);
`

/** Inserts one entry (positional: event_id, target, type, doc_id, created_at, due_at); an entry waiting absorbs it. */
export const OUTBOX_INSERT =
  'INSERT INTO webhook_outbox (event_id, target, type, doc_id, created_at, due_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING'

/** An entry as the positional parameters of `OUTBOX_INSERT` (what the writer thread is sent). */
export type OutboxRow = [string, string, string, string, number, number]

export const toOutboxRow = (entry: NewOutboxEntry): OutboxRow =>
  [entry.eventId, entry.target, entry.type, entry.docId, entry.createdAt, entry.dueAt]
