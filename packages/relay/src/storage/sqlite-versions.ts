import type Database from 'better-sqlite3'
import type { NewVersion, VersionInfo, VersionKind, VersionStore } from './versions.js'

/**
 * Tables of version history, created before the writer thread starts (its `append` records authors in
 * `update_authors`, in the same transaction as the updates).
 */
export const createVersionTables = (db: Database.Database): void => {
  db.exec(`
    CREATE TABLE IF NOT EXISTS update_authors (
      doc_id TEXT NOT NULL,
      author TEXT NOT NULL,
      PRIMARY KEY (doc_id, author)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS versions (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      doc_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      name TEXT,
      created_at INTEGER NOT NULL,
      created_by TEXT NOT NULL,
      authors TEXT NOT NULL,
      data BLOB NOT NULL
    );
    CREATE INDEX IF NOT EXISTS versions_by_doc ON versions (doc_id, id);
  `)
}

interface VersionRow {
  id: number; doc_id: string; kind: string; name: string | null; created_at: number; created_by: string; authors: string; bytes: number
}

const toInfo = (row: VersionRow): VersionInfo => ({
  id: row.id, docId: row.doc_id, kind: row.kind as VersionKind, name: row.name, createdAt: row.created_at,
  createdBy: row.created_by, bytes: row.bytes, authors: JSON.parse(row.authors) as string[],
})

const COLUMNS = 'id, doc_id, kind, name, created_at, created_by, authors, length(data) AS bytes'

/**
 * Versions in the SQLite file. Versions are rare and written on the main connection (SQLite serialises it
 * with the writer thread); a version write of a large document blocks the event loop for its fsync.
 */
export const createSqliteVersions = (db: Database.Database, assertOpen: () => void): VersionStore => {
  const list = db.prepare<[string], VersionRow>(`SELECT ${COLUMNS} FROM versions WHERE doc_id = ? ORDER BY id DESC`)
  const one = db.prepare<[string, number], VersionRow & { data: Buffer }>(`SELECT ${COLUMNS}, data FROM versions WHERE doc_id = ? AND id = ?`)
  const authorsOf = db.prepare<[string], { author: string }>('SELECT author FROM update_authors WHERE doc_id = ? ORDER BY author')
  const forgetAuthors = db.prepare<[string]>('DELETE FROM update_authors WHERE doc_id = ?')
  const insert = db.prepare<[string, string, string | null, number, string, string, Uint8Array]>(
    'INSERT INTO versions (doc_id, kind, name, created_at, created_by, authors, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
  )
  const prune = db.prepare<[string, string, number]>(`
    DELETE FROM versions WHERE doc_id = ? AND kind != 'named' AND id NOT IN (
      SELECT id FROM versions WHERE doc_id = ? AND kind != 'named' ORDER BY id DESC LIMIT ?
    )`)
  const create = db.transaction((version: NewVersion): VersionInfo => {
    const authors = authorsOf.all(version.docId).map(row => row.author)
    forgetAuthors.run(version.docId)
    const { lastInsertRowid } = insert.run(
      version.docId, version.kind, version.name, version.createdAt, version.createdBy, JSON.stringify(authors), version.update,
    )
    prune.run(version.docId, version.docId, version.keepAutomatic)
    return {
      id: Number(lastInsertRowid), docId: version.docId, kind: version.kind, name: version.name, createdAt: version.createdAt,
      createdBy: version.createdBy, bytes: version.update.length, authors,
    }
  })
  return {
    async list(docId) {
      assertOpen()
      return list.all(docId).map(toInfo)
    },
    async get(docId, id) {
      assertOpen()
      const row = one.get(docId, id)
      if (row === undefined) return undefined
      return { info: toInfo(row), update: new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength) }
    },
    async create(version) {
      assertOpen()
      // IMMEDIATE: a deferred transaction that read first could not upgrade to writing once the writer thread
      // committed meanwhile (SQLITE_BUSY at once, the busy timeout does not apply); this one waits for the lock.
      return create.immediate(version)
    },
  }
}
