import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import { StorageError } from '../adapter-errors.js'
import type { NewOutboxEntry } from './outbox-types.js'
import { OUTBOX_INSERT, toOutboxRow, type OutboxRow } from './sqlite-outbox-schema.js'
import type { PendingWrite } from './types.js'

/**
 * The writer thread's code. Plain CommonJS run with `eval`, so the same file works from TypeScript source
 * (tests) and from `dist`; it loads better-sqlite3 by the absolute path the main thread resolved.
 */
const WRITER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.betterSqlite3)
const db = new Database(workerData.path)
db.pragma('journal_mode = WAL')
db.pragma('synchronous = ' + workerData.synchronous)
db.pragma('busy_timeout = 5000')
// The page cache holds every dirty page of a transaction, and glibc keeps what it freed: with the default
// 2 MB cache one 4 MiB row left 4.6 MB resident in this thread for good. An append touches few pages (the
// end of the log, one path down each index), so a smaller cache costs it little; loads use their own connection.
db.pragma('cache_size = -1024')
// A tombstoned document takes no rows, whenever the write was queued: deletion wins over older commits.
const insertRow = db.prepare('INSERT INTO updates (doc_id, data, at) SELECT :docId, :data, :at WHERE NOT EXISTS (SELECT 1 FROM tombstones WHERE doc_id = :docId)')
const insert = { run: (docId, data, at) => insertRow.run({ docId, data, at }) }
const remove = db.prepare('DELETE FROM updates WHERE doc_id = ? AND id = ?')
const insertAuthor = db.prepare('INSERT OR IGNORE INTO update_authors (doc_id, author) VALUES (?, ?)')
const newestOf = db.prepare('SELECT max(at) AS at FROM updates WHERE doc_id = ? AND id IN (SELECT value FROM json_each(?))')
const insertOutbox = db.prepare(${JSON.stringify(OUTBOX_INSERT)})
const append = db.transaction((docIds, packed, authors, outbox) => {
  const at = Date.now()
  for (let i = 0, start = 0; i < docIds.length; start = packed.ends[i++]) insert.run(docIds[i], packed.bytes.subarray(start, packed.ends[i]), at)
  for (let i = 0; i < docIds.length; i++) if (authors[i] != null) insertAuthor.run(docIds[i], authors[i])
  for (const row of outbox) insertOutbox.run(...row)
})
const replace = db.transaction((docId, ids, merged) => {
  // The merge keeps the time of the newest row it replaces: compacting is not editing.
  const at = newestOf.get(docId, JSON.stringify(ids)).at ?? Date.now()
  for (const id of ids) remove.run(docId, id)
  insert.run(docId, merged, at)
})
// Document lifecycle.
const dropRows = db.prepare('DELETE FROM updates WHERE doc_id = ?')
const bury = db.prepare('INSERT INTO tombstones (doc_id, deleted_at) VALUES (?, ?) ON CONFLICT (doc_id) DO NOTHING')
const unbury = db.prepare('DELETE FROM tombstones WHERE doc_id = ?')
const dropVersions = db.prepare('DELETE FROM versions WHERE doc_id = ?')
const dropAuthors = db.prepare('DELETE FROM update_authors WHERE doc_id = ?')
// A deletion takes the document's history with it: nothing of its content stays behind.
const deleteDocument = db.transaction((docId, deletedAt, outbox) => {
  dropRows.run(docId)
  dropVersions.run(docId)
  dropAuthors.run(docId)
  bury.run(docId, deletedAt)
  for (const row of outbox) insertOutbox.run(...row)
})
const restoreDocument = db.transaction((docId) => {
  dropRows.run(docId)
  return unbury.run(docId).changes > 0
})
// A job's bytes go back with its reply. This thread allocates so little that it collects garbage rarely, so
// bytes it dropped would stay in memory long after the commit (a whole large document's worth); the main
// thread collects them soon.
const bytesOf = (job) => job.kind === 'append' ? job.packed.bytes.buffer : job.kind === 'replace' ? job.merged.buffer : undefined
parentPort.on('message', (job) => {
  const bytes = bytesOf(job)
  const transfer = bytes === undefined ? [] : [bytes]
  try {
    let result
    if (job.kind === 'append') append(job.docIds, job.packed, job.authors, job.outbox)
    else if (job.kind === 'replace') replace(job.docId, job.ids, job.merged)
    else if (job.kind === 'delete') deleteDocument(job.docId, job.deletedAt, job.outbox)
    else if (job.kind === 'restore') result = restoreDocument(job.docId)
    else if (job.kind === 'close') db.close()
    parentPort.postMessage({ id: job.id, ok: true, result, bytes }, transfer)
  } catch (error) {
    parentPort.postMessage({ id: job.id, ok: false, message: error && error.message ? error.message : String(error), bytes }, transfer)
  }
})
`

type Job =
  | { kind: 'append'; docIds: string[]; packed: PackedUpdates; authors: (string | undefined)[]; outbox: OutboxRow[] }
  | { kind: 'replace'; docId: string; ids: readonly number[]; merged: Uint8Array }
  | { kind: 'delete'; docId: string; deletedAt: number; outbox: OutboxRow[] }
  | { kind: 'restore'; docId: string }
  | { kind: 'close' }

/** `bytes`: the job's own bytes, handed back to be dropped here (see `bytesOf` above). */
interface Reply { id: number; ok: boolean; message?: string; result?: unknown; bytes?: ArrayBuffer }

/** Updates laid end to end in one buffer: update `i` ends at `ends[i]` and starts where update `i - 1` ends. */
interface PackedUpdates { bytes: Uint8Array; ends: number[] }

/**
 * One copy of the updates, which the writer thread then takes over (transferred, not cloned). Posting the
 * updates themselves would clone each one's whole backing buffer: an update is a view into the websocket
 * message it came in, often into a 64 KiB socket read for a 30-byte update.
 */
const pack = (updates: readonly Uint8Array[]): PackedUpdates => {
  let total = 0
  for (const update of updates) total += update.length
  const bytes = new Uint8Array(total)
  const ends: number[] = []
  let at = 0
  for (const update of updates) {
    bytes.set(update, at)
    at += update.length
    ends.push(at)
  }
  return { bytes, ends }
}

/**
 * Runs SQLite writes on a worker thread, so the fsync of each commit does not block the event loop:
 * fan-out, sync replies and acks of the previous batch go on while the next batch is made durable.
 */
export class SqliteWriter {
  private readonly worker: Worker
  private readonly pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>()
  private nextId = 1
  private failure: StorageError | null = null

  constructor(path: string, synchronous: 'FULL' | 'NORMAL') {
    const betterSqlite3 = createRequire(import.meta.url).resolve('better-sqlite3')
    this.worker = new Worker(WRITER_SOURCE, { eval: true, workerData: { path, synchronous, betterSqlite3 } })
    this.worker.on('message', (reply: Reply) => {
      const waiter = this.pending.get(reply.id)
      if (waiter === undefined) return
      this.pending.delete(reply.id)
      if (reply.ok) waiter.resolve(reply.result)
      else waiter.reject(new StorageError('operationFailed', `sqlite write failed: ${reply.message ?? 'unknown error'}`))
    })
    this.worker.on('error', error => this.fail(new StorageError('operationFailed', `sqlite writer thread failed: ${error.message}`, { cause: error })))
    this.worker.on('exit', code => this.fail(new StorageError('operationFailed', `sqlite writer thread exited (${code})`)))
  }

  async append(writes: readonly PendingWrite[], outbox: readonly NewOutboxEntry[] = []): Promise<void> {
    const packed = pack(writes.map(w => w.update))
    await this.run({
      kind: 'append', docIds: writes.map(w => w.docId), packed, authors: writes.map(w => w.author), outbox: outbox.map(toOutboxRow),
    }, [packed.bytes.buffer as ArrayBuffer])
  }

  async replace(docId: string, ids: readonly number[], merged: Uint8Array): Promise<void> {
    await this.run({ kind: 'replace', docId, ids, merged })
  }

  async deleteDocument(docId: string, deletedAt: number, outbox: readonly NewOutboxEntry[] = []): Promise<void> {
    await this.run({ kind: 'delete', docId, deletedAt, outbox: outbox.map(toOutboxRow) })
  }

  async restoreDocument(docId: string): Promise<boolean> {
    return (await this.run({ kind: 'restore', docId })) === true
  }

  /** Waits for every queued write (the thread runs them in order), then stops the thread. */
  async close(): Promise<void> {
    if (this.failure === null) await this.run({ kind: 'close' }).catch(() => {})
    this.failure ??= new StorageError('closed', 'sqlite storage is closed')
    await this.worker.terminate()
  }

  private run(job: Job, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.failure !== null) return Promise.reject(this.failure)
    const id = this.nextId++
    return new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.worker.postMessage({ ...job, id }, transfer)
    })
  }

  private fail(error: StorageError): void {
    this.failure ??= error
    for (const waiter of this.pending.values()) waiter.reject(error)
    this.pending.clear()
  }
}
