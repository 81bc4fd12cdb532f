import type pg from 'pg'
import { listBounds } from './doc-order.js'
import { insertOutboxEntries } from './postgres-outbox.js'
import { inTransaction } from './postgres-transaction.js'
import { versionTables } from './postgres-versions.js'
import type { DocumentSummary, RelayStorage, Tombstone } from './types.js'

/** The tombstones table that goes with an updates table. */
export const tombstoneTable = (table: string): string => `${table}_tombstones`

/**
 * The lifecycle schema, run inside the schema transaction: a commit time per row (`at`; rows written before
 * it existed read as the time of the upgrade) and the tombstones of deleted documents.
 */
export const createLifecycleSchema = async (client: pg.PoolClient, table: string): Promise<void> => {
  // now() is stable, not volatile: adding the column does not rewrite an existing table.
  await client.query(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS at timestamptz NOT NULL DEFAULT now()`)
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${tombstoneTable(table)} (doc_id bytea PRIMARY KEY, deleted_at bigint NOT NULL)`,
  )
}

/** Appended to an INSERT … SELECT over rows `w`: a tombstoned document takes no rows. */
export const notTombstoned = (table: string, docIdColumn: string): string =>
  `NOT EXISTS (SELECT 1 FROM ${tombstoneTable(table)} t WHERE t.doc_id = ${docIdColumn})`

type Lifecycle = Pick<RelayStorage, 'listDocuments' | 'tombstone' | 'listTombstones' | 'deleteDocument' | 'restoreDocument'>
type Run = <T>(what: string, work: () => Promise<T>) => Promise<T>

const docKey = (docId: string): Buffer => Buffer.from(docId, 'utf8')

/**
 * Deletion and restore take `SHARE ROW EXCLUSIVE` on the updates table, which conflicts with the lock every
 * INSERT holds: a commit or compaction in flight (on any node) finishes first and its rows are deleted, and
 * one that starts later waits, then sees the tombstone (its statement's snapshot is taken after its locks)
 * and stores nothing. It pauses every document's commits for the length of one indexed delete.
 */
export const postgresLifecycle = (pool: pg.Pool, table: string, outboxTable: string, run: Run): Lifecycle => {
  const tombstones = tombstoneTable(table)
  const page = (query: Parameters<Lifecycle['listDocuments']>[0]): unknown[] => {
    const { start, inclusive, end, limit } = listBounds(query)
    return [docKey(start), inclusive === 1, end === null ? null : docKey(end), limit]
  }
  const range = 'doc_id >= $1 AND NOT (NOT $2::boolean AND doc_id = $1) AND ($3::bytea IS NULL OR doc_id < $3)'
  // The lock goes first in each transaction (see above).
  const transaction = <T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> =>
    inTransaction(pool, async client => {
      await client.query(`LOCK TABLE ${table} IN SHARE ROW EXCLUSIVE MODE`)
      return work(client)
    })
  return {
    listDocuments: query => run('listDocuments', async (): Promise<DocumentSummary[]> => {
      const result = await pool.query<{ doc_id: Buffer; bytes: number; updated_at: number }>(
        `SELECT doc_id, sum(octet_length(data))::float8 AS bytes, floor(extract(epoch FROM max(at)) * 1000)::float8 AS updated_at
         FROM ${table} WHERE ${range} GROUP BY doc_id ORDER BY doc_id LIMIT $4`,
        page(query),
      )
      return result.rows.map(row => ({ id: row.doc_id.toString('utf8'), bytes: row.bytes, updatedAt: row.updated_at }))
    }),
    tombstone: docId => run('tombstone', async (): Promise<Tombstone | null> => {
      const result = await pool.query<{ deleted_at: string }>(`SELECT deleted_at FROM ${tombstones} WHERE doc_id = $1`, [docKey(docId)])
      const row = result.rows[0]
      return row === undefined ? null : { id: docId, deletedAt: Number(row.deleted_at) }
    }),
    listTombstones: query => run('listTombstones', async (): Promise<Tombstone[]> => {
      const result = await pool.query<{ doc_id: Buffer; deleted_at: string }>(
        `SELECT doc_id, deleted_at FROM ${tombstones} WHERE ${range} ORDER BY doc_id LIMIT $4`,
        page(query),
      )
      return result.rows.map(row => ({ id: row.doc_id.toString('utf8'), deletedAt: Number(row.deleted_at) }))
    }),
    deleteDocument: (docId, deletedAt, options) => run('deleteDocument', () => transaction(async client => {
      await client.query(`DELETE FROM ${table} WHERE doc_id = $1`, [docKey(docId)])
      // A deletion takes the document's history with it: nothing of its content stays behind.
      const { versions, authors } = versionTables(table)
      await client.query(`DELETE FROM ${versions} WHERE doc_id = $1`, [docKey(docId)])
      await client.query(`DELETE FROM ${authors} WHERE doc_id = $1`, [docKey(docId)])
      await client.query(`INSERT INTO ${tombstones} (doc_id, deleted_at) VALUES ($1, $2) ON CONFLICT (doc_id) DO NOTHING`, [docKey(docId), deletedAt])
      await insertOutboxEntries(client, outboxTable, options?.outbox ?? [])
    })),
    restoreDocument: docId => run('restoreDocument', () => transaction(async client => {
      await client.query(`DELETE FROM ${table} WHERE doc_id = $1`, [docKey(docId)])
      const removed = await client.query(`DELETE FROM ${tombstones} WHERE doc_id = $1`, [docKey(docId)])
      return (removed.rowCount ?? 0) > 0
    })),
  }
}
