import type pg from 'pg'
import type { NewOutboxEntry, OutboxEntry, RelayOutbox, WebhookEventType } from './outbox-types.js'
import type { PendingWrite } from './types.js'

/** Document ids are stored as UTF-8 bytes, as in the update table (an id may hold U+0000). */
const docKey = (docId: string): Buffer => Buffer.from(docId, 'utf8')
const bytes = (update: Uint8Array): Buffer => Buffer.from(update.buffer, update.byteOffset, update.byteLength)

/**
 * Creates the outbox table (inside the caller's schema transaction). `started` marks entries claimed at least
 * once: only the others absorb a new entry for the same target, type and document (the partial unique index).
 */
export const createOutboxSchema = async (client: pg.PoolClient, outbox: string): Promise<void> => {
  await client.query(`CREATE TABLE IF NOT EXISTS ${outbox} (
    id bigserial PRIMARY KEY,
    event_id text NOT NULL,
    target text NOT NULL,
    type text NOT NULL,
    doc_id bytea NOT NULL,
    created_at bigint NOT NULL,
    due_at bigint NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    lease_until bigint NOT NULL DEFAULT 0,
    started boolean NOT NULL DEFAULT false
  )`)
  await client.query(`CREATE UNIQUE INDEX IF NOT EXISTS ${outbox}_waiting ON ${outbox} (target, type, doc_id) WHERE NOT started`)
  await client.query(`CREATE INDEX IF NOT EXISTS ${outbox}_due ON ${outbox} (due_at)`)
}

const outboxColumns = (entries: readonly NewOutboxEntry[]): unknown[] => [
  entries.map(e => e.eventId), entries.map(e => e.target), entries.map(e => e.type),
  entries.map(e => docKey(e.docId)), entries.map(e => e.createdAt), entries.map(e => e.dueAt),
]

const insertOutbox = (outbox: string, from: number): string =>
  `INSERT INTO ${outbox} (event_id, target, type, doc_id, created_at, due_at)
   SELECT * FROM unnest($${from}::text[], $${from + 1}::text[], $${from + 2}::text[], $${from + 3}::bytea[], $${from + 4}::bigint[], $${from + 5}::bigint[])
   ON CONFLICT (target, type, doc_id) WHERE NOT started DO NOTHING`

/**
 * Writes outbox entries on `client` inside a transaction the caller runs (e.g. a document delete writing its
 * `document.deleted` entries), so they commit or roll back with it.
 */
export const insertOutboxEntries = async (client: pg.PoolClient, outbox: string, entries: readonly NewOutboxEntry[]): Promise<void> => {
  if (entries.length > 0) await client.query(insertOutbox(outbox, 1), outboxColumns(entries))
}

/**
 * Appends updates and outbox entries in one statement (so one transaction): the data-modifying CTE runs
 * whether or not its result is read.
 */
export const appendWithOutbox = async (
  pool: pg.Pool, table: string, outbox: string, writes: readonly PendingWrite[], entries: readonly NewOutboxEntry[],
): Promise<void> => {
  await pool.query(
    `WITH appended AS (
       INSERT INTO ${table} (doc_id, data)
       SELECT w.doc_id, w.data FROM unnest($1::bytea[], $2::bytea[]) WITH ORDINALITY AS w(doc_id, data, n) ORDER BY w.n
     )
     ${insertOutbox(outbox, 3)}`,
    [writes.map(w => docKey(w.docId)), writes.map(w => bytes(w.update)), ...outboxColumns(entries)],
  )
}

interface ClaimedRow {
  id: string
  event_id: string
  target: string
  type: WebhookEventType
  doc_id: Buffer
  created_at: string
  due_at: string
  attempts: number
}

/**
 * The PostgreSQL outbox, shared by every relay node: a claim takes due rows with `FOR UPDATE SKIP LOCKED`,
 * so two nodes never lease the same entry, and a node that dies leaves its leases to expire.
 */
export const createPostgresOutbox = (
  run: <T>(what: string, work: () => Promise<T>) => Promise<T>, pool: pg.Pool, outbox: string,
): RelayOutbox => ({
  claim: (now, limit, leaseMs, targets) => run('outbox claim', async () => {
    const result = await pool.query<ClaimedRow>(
      `UPDATE ${outbox} SET started = true, attempts = attempts + 1, lease_until = $1
       WHERE id IN (
         SELECT id FROM ${outbox} WHERE target = ANY($2::text[]) AND due_at <= $3 AND lease_until <= $3
         ORDER BY due_at LIMIT $4 FOR UPDATE SKIP LOCKED
       )
       RETURNING id, event_id, target, type, doc_id, created_at, due_at, attempts`,
      [now + leaseMs, targets, now, limit],
    )
    return result.rows.map((row): OutboxEntry => ({
      id: Number(row.id), eventId: row.event_id, target: row.target, type: row.type, docId: row.doc_id.toString('utf8'),
      createdAt: Number(row.created_at), dueAt: Number(row.due_at), attempts: row.attempts,
    }))
  }),
  remove: ids => run('outbox remove', async () => {
    await pool.query(`DELETE FROM ${outbox} WHERE id = ANY($1::bigint[])`, [ids])
  }),
  retry: (id, dueAt) => run('outbox retry', async () => {
    await pool.query(`UPDATE ${outbox} SET due_at = $1, lease_until = 0 WHERE id = $2`, [dueAt, id])
  }),
  enqueue: entries => run('outbox enqueue', async () => {
    if (entries.length > 0) await pool.query(insertOutbox(outbox, 1), outboxColumns(entries))
  }),
})
