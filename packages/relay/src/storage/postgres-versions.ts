import type pg from 'pg'
import { inTransaction } from './postgres-transaction.js'
import type { NewVersion, VersionInfo, VersionKind, VersionStore } from './versions.js'

/** Tables of version history next to the update log `table`: `<table>_versions` and `<table>_authors`. */
export const versionTables = (table: string): { versions: string; authors: string } =>
  ({ versions: `${table}_versions`, authors: `${table}_authors` })

/** Creates the version tables; runs inside the schema transaction of the update log. */
export const createVersionSchema = async (client: pg.PoolClient, table: string): Promise<void> => {
  const { versions, authors } = versionTables(table)
  await client.query(`CREATE TABLE IF NOT EXISTS ${authors} (doc_id bytea NOT NULL, author text NOT NULL, PRIMARY KEY (doc_id, author))`)
  await client.query(`CREATE TABLE IF NOT EXISTS ${versions} (
    id bigserial PRIMARY KEY, doc_id bytea NOT NULL, kind text NOT NULL, name text, created_at bigint NOT NULL,
    created_by text NOT NULL, authors text[] NOT NULL, data bytea NOT NULL)`)
  await client.query(`CREATE INDEX IF NOT EXISTS ${versions}_doc_id_id ON ${versions} (doc_id, id)`)
}

interface VersionRow {
  id: string; doc_id: Buffer; kind: string; name: string | null; created_at: string; created_by: string; authors: string[]; bytes: number
}

const toInfo = (row: VersionRow): VersionInfo => ({
  id: Number(row.id), docId: row.doc_id.toString('utf8'), kind: row.kind as VersionKind, name: row.name,
  createdAt: Number(row.created_at), createdBy: row.created_by, bytes: Number(row.bytes), authors: row.authors,
})

const COLUMNS = 'id, doc_id, kind, name, created_at, created_by, authors, octet_length(data) AS bytes'

/** Versions in PostgreSQL; `run` is the adapter's (schema, error wrapping, close tracking). */
export const createPostgresVersions = (
  pool: pg.Pool,
  table: string,
  docKey: (docId: string) => Buffer,
  run: <T>(what: string, work: () => Promise<T>) => Promise<T>,
): VersionStore => {
  const { versions, authors } = versionTables(table)
  return {
    list: (docId) =>
      run('versions list', async () => {
        const result = await pool.query<VersionRow>(`SELECT ${COLUMNS} FROM ${versions} WHERE doc_id = $1 ORDER BY id DESC`, [docKey(docId)])
        return result.rows.map(toInfo)
      }),

    get: (docId, id) =>
      run('versions get', async () => {
        if (!Number.isSafeInteger(id) || id < 1) return undefined
        const result = await pool.query<VersionRow & { data: Buffer }>(
          `SELECT ${COLUMNS}, data FROM ${versions} WHERE doc_id = $1 AND id = $2`, [docKey(docId), id],
        )
        const row = result.rows[0]
        if (row === undefined) return undefined
        return { info: toInfo(row), update: new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength) }
      }),

    create: (version: NewVersion) =>
      run('versions create', () =>
        inTransaction(pool, async (client) => {
          const key = docKey(version.docId)
          const taken = await client.query<{ author: string }>(`DELETE FROM ${authors} WHERE doc_id = $1 RETURNING author`, [key])
          const names = taken.rows.map(row => row.author).sort()
          const inserted = await client.query<{ id: string }>(
            `INSERT INTO ${versions} (doc_id, kind, name, created_at, created_by, authors, data)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
            [key, version.kind, version.name, version.createdAt, version.createdBy, names,
              Buffer.from(version.update.buffer, version.update.byteOffset, version.update.byteLength)],
          )
          await client.query(
            `DELETE FROM ${versions} WHERE doc_id = $1 AND kind <> 'named' AND id NOT IN (
               SELECT id FROM ${versions} WHERE doc_id = $1 AND kind <> 'named' ORDER BY id DESC LIMIT $2)`,
            [key, version.keepAutomatic],
          )
          return {
            id: Number(inserted.rows[0]!.id), docId: version.docId, kind: version.kind, name: version.name,
            createdAt: version.createdAt, createdBy: version.createdBy, bytes: version.update.length, authors: names,
          }
        })),
  }
}
