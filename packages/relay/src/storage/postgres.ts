import type pg from 'pg'
import { requireOptional } from '../optional-dependency.js'
import { StorageError } from '../adapter-errors.js'
import { createLifecycleSchema, notTombstoned, postgresLifecycle } from './postgres-lifecycle.js'
import { inTransaction } from './postgres-transaction.js'
import { appendWithOutbox, createOutboxSchema, createPostgresOutbox } from './postgres-outbox.js'
import { createPostgresVersions, createVersionSchema, versionTables } from './postgres-versions.js'
import type { PendingWrite, RelayStorage, StoredUpdate } from './types.js'

/** The driver is loaded on first use: a relay on SQLite should not carry it in memory (about 4 MiB). */
const loadPg = (): typeof pg => requireOptional<typeof pg>('pg', 'PostgreSQL storage')

/** Options of the `postgres` storage adapter. */
export interface PostgresStorageOptions {
  /** Connection string, e.g. `postgres://relay:secret@db.internal:5432/driftless`. */
  url: string
  /**
   * Most connections this relay node opens. Every node has its own pool, so the server needs
   * `nodes × poolSize` connections plus headroom.
   * @default 10
   */
  poolSize?: number
  /**
   * Table holding the update log; created on first use with an index on `(doc_id, id)`.
   * @default 'driftless_updates'
   */
  table?: string
  /**
   * Table holding pending webhook deliveries (the outbox); created on first use.
   * @default 'driftless_webhook_outbox'
   */
  outboxTable?: string
  /**
   * A query (or waiting for a pooled connection) that takes longer fails, so a hung database turns into
   * `storageFailure` errors that clients retry, not into writes that wait forever.
   * @default 10_000
   */
  timeoutMs?: number
  /** Called with errors of idle pooled connections (e.g. the server restarted); they are recovered from. */
  onError?: (error: Error) => void
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/

/** Row ids are bigserial; they fit a JS number exactly up to 2^53, far beyond any real log. */
const toId = (value: string | number): number => Number(value)

const toBytes = (buffer: Buffer): Uint8Array => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)

/**
 * Document ids are stored as their UTF-8 bytes: a protocol id may hold U+0000, which a PostgreSQL `text`
 * refuses, and one such id would otherwise fail the whole group commit it shares with other documents.
 */
const docKey = (docId: string): Buffer => Buffer.from(docId, 'utf8')

/**
 * Storage in PostgreSQL, shared by every relay node of a deployment: one row per update, compacted by
 * `replace`, which deletes exactly the rows it names so compactions racing on several nodes lose nothing.
 *
 * @example
 * const storage = createPostgresStorage({ url: process.env.DATABASE_URL!, poolSize: 20 })
 */
export function createPostgresStorage(options: PostgresStorageOptions): RelayStorage {
  const table = options.table ?? 'driftless_updates'
  if (!IDENTIFIER.test(table)) {
    throw new StorageError('invalidOption', `table must be a lowercase SQL identifier, got ${JSON.stringify(table)}`)
  }
  const outboxTable = options.outboxTable ?? 'driftless_webhook_outbox'
  if (!IDENTIFIER.test(outboxTable)) {
    throw new StorageError('invalidOption', `outboxTable must be a lowercase SQL identifier, got ${JSON.stringify(outboxTable)}`)
  }
  const poolSize = options.poolSize ?? 10
  if (!Number.isInteger(poolSize) || poolSize < 1) {
    throw new StorageError('invalidOption', `poolSize must be a positive integer, got ${poolSize}`)
  }
  const timeoutMs = options.timeoutMs ?? 10_000
  const pool = new (loadPg().Pool)({
    connectionString: options.url,
    max: poolSize,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    application_name: 'driftless-relay',
  })
  // An idle connection dropped by the server must not crash the process; the pool replaces it.
  pool.on('error', (error) => options.onError?.(error))

  let schema: Promise<void> | undefined
  const ensureSchema = (): Promise<void> => {
    schema ??= createSchema(pool, table, outboxTable).catch((error: unknown) => {
      schema = undefined // the database may be back next time
      throw error
    })
    return schema
  }

  const inFlight = new Set<Promise<unknown>>()
  let closing: Promise<void> | undefined
  const run = <T>(what: string, work: () => Promise<T>): Promise<T> => {
    if (closing !== undefined) return Promise.reject(new StorageError('closed', `postgres ${what} after close`))
    const operation = (async () => {
      try {
        await ensureSchema()
        return await work()
      } catch (error) {
        throw new StorageError('operationFailed', `postgres ${what} failed: ${(error as Error).message}`, { cause: error })
      }
    })()
    inFlight.add(operation)
    const forget = (): void => {
      inFlight.delete(operation)
    }
    operation.then(forget, forget)
    return operation
  }

  return {
    versions: createPostgresVersions(pool, table, docKey, run),

    load: (docId) =>
      run('load', async () => {
        const result = await pool.query<{ id: string; data: Buffer }>(
          `SELECT id, data FROM ${table} WHERE doc_id = $1 ORDER BY id`,
          [docKey(docId)],
        )
        return result.rows.map((row): StoredUpdate => ({ id: toId(row.id), update: toBytes(row.data) }))
      }),

    append: (writes: readonly PendingWrite[], appendOptions) =>
      run('append', async () => {
        const entries = appendOptions?.outbox ?? []
        if (entries.length > 0) {
          await appendWithOutbox(pool, table, outboxTable, writes, entries)
          // Authors in their own statement here: version attribution, not durability, depends on them.
          const authored = writes.filter((w) => w.author !== undefined)
          if (authored.length > 0) {
            await pool.query(
              `INSERT INTO ${versionTables(table).authors} (doc_id, author)
               SELECT DISTINCT * FROM unnest($1::bytea[], $2::text[]) ON CONFLICT DO NOTHING`,
              [authored.map((w) => docKey(w.docId)), authored.map((w) => w.author!)],
            )
          }
          return
        }
        if (writes.length === 0) return
        // One statement is one transaction: the promise resolves only after COMMIT (synchronous_commit).
        // The authors of the writes go into the version-history table in the same statement.
        await pool.query(
          `WITH w AS (
             SELECT * FROM unnest($1::bytea[], $2::bytea[], $3::text[]) WITH ORDINALITY AS w(doc_id, data, author, n)
             WHERE ${notTombstoned(table, 'w.doc_id')}
           ),
           updates AS (INSERT INTO ${table} (doc_id, data) SELECT w.doc_id, w.data FROM w ORDER BY w.n)
           INSERT INTO ${versionTables(table).authors} (doc_id, author)
           SELECT DISTINCT w.doc_id, w.author FROM w WHERE w.author IS NOT NULL ON CONFLICT DO NOTHING`,
          [
            writes.map((w) => docKey(w.docId)),
            writes.map((w) => Buffer.from(w.update.buffer, w.update.byteOffset, w.update.byteLength)),
            writes.map((w) => w.author ?? null),
          ],
        )
      }),

    replace: (docId, ids, merged) =>
      run('replace', () =>
        inTransaction(pool, async (client) => {
          // The merge gets a fresh id: reusing a deleted one would let a stale compaction elsewhere delete it.
          // The merge keeps the time of the newest row it replaces: compacting is not editing.
          const newest = await client.query<{ at: Date | null }>(
            `DELETE FROM ${table} WHERE doc_id = $1 AND id = ANY($2::bigint[]) RETURNING at`, [docKey(docId), ids],
          )
          const at = newest.rows.reduce<Date | null>((max, row) => (max === null || (row.at !== null && row.at > max) ? row.at : max), null)
          await client.query(`INSERT INTO ${table} (doc_id, data, at) SELECT $1::bytea, $2::bytea, coalesce($3::timestamptz, now()) WHERE ${notTombstoned(table, '$1::bytea')}`, [
            docKey(docId),
            Buffer.from(merged.buffer, merged.byteOffset, merged.byteLength),
            at,
          ])
        })),

    ...postgresLifecycle(pool, table, outboxTable, run),
    outbox: createPostgresOutbox(run, pool, outboxTable),

    close() {
      // Operations already started (maybe still creating the schema) finish before the pool goes.
      closing ??= Promise.allSettled([...inFlight]).then(() => pool.end())
      return closing
    },
  }
}

function createSchema(pool: pg.Pool, table: string, outboxTable: string): Promise<void> {
  return inTransaction(pool, async (client) => {
    // Nodes starting together would otherwise race on CREATE TABLE IF NOT EXISTS (a unique violation).
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`driftless-schema:${table}`])
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${table} (id bigserial PRIMARY KEY, doc_id bytea NOT NULL, data bytea NOT NULL)`,
    )
    await client.query(`CREATE INDEX IF NOT EXISTS ${table}_doc_id_id ON ${table} (doc_id, id)`)
    await createLifecycleSchema(client, table)
    await createOutboxSchema(client, outboxTable)
    await createVersionSchema(client, table)
  })
}
