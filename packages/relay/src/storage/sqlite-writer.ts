import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import { StorageError } from '../adapter-errors.js'
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
const insert = db.prepare('INSERT INTO updates (doc_id, data) VALUES (?, ?)')
const remove = db.prepare('DELETE FROM updates WHERE doc_id = ? AND id = ?')
const append = db.transaction((docIds, updates) => {
  for (let i = 0; i < docIds.length; i++) insert.run(docIds[i], updates[i])
})
const replace = db.transaction((docId, ids, merged) => {
  for (const id of ids) remove.run(docId, id)
  insert.run(docId, merged)
})
parentPort.on('message', (job) => {
  try {
    if (job.kind === 'append') append(job.docIds, job.updates)
    else if (job.kind === 'replace') replace(job.docId, job.ids, job.merged)
    else if (job.kind === 'close') db.close()
    parentPort.postMessage({ id: job.id, ok: true })
  } catch (error) {
    parentPort.postMessage({ id: job.id, ok: false, message: error && error.message ? error.message : String(error) })
  }
})
`

type Job =
  | { kind: 'append'; docIds: string[]; updates: Uint8Array[] }
  | { kind: 'replace'; docId: string; ids: readonly number[]; merged: Uint8Array }
  | { kind: 'close' }

interface Reply { id: number; ok: boolean; message?: string }

/**
 * Runs SQLite writes on a worker thread, so the fsync of each commit does not block the event loop:
 * fan-out, sync replies and acks of the previous batch go on while the next batch is made durable.
 */
export class SqliteWriter {
  private readonly worker: Worker
  private readonly pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>()
  private nextId = 1
  private failure: StorageError | null = null

  constructor(path: string, synchronous: 'FULL' | 'NORMAL') {
    const betterSqlite3 = createRequire(import.meta.url).resolve('better-sqlite3')
    this.worker = new Worker(WRITER_SOURCE, { eval: true, workerData: { path, synchronous, betterSqlite3 } })
    this.worker.on('message', (reply: Reply) => {
      const waiter = this.pending.get(reply.id)
      if (waiter === undefined) return
      this.pending.delete(reply.id)
      if (reply.ok) waiter.resolve()
      else waiter.reject(new StorageError('operationFailed', `sqlite write failed: ${reply.message ?? 'unknown error'}`))
    })
    this.worker.on('error', error => this.fail(new StorageError('operationFailed', `sqlite writer thread failed: ${error.message}`, { cause: error })))
    this.worker.on('exit', code => this.fail(new StorageError('operationFailed', `sqlite writer thread exited (${code})`)))
  }

  append(writes: readonly PendingWrite[]): Promise<void> {
    return this.run({ kind: 'append', docIds: writes.map(w => w.docId), updates: writes.map(w => w.update) })
  }

  replace(docId: string, ids: readonly number[], merged: Uint8Array): Promise<void> {
    return this.run({ kind: 'replace', docId, ids, merged })
  }

  /** Waits for every queued write (the thread runs them in order), then stops the thread. */
  async close(): Promise<void> {
    if (this.failure === null) await this.run({ kind: 'close' }).catch(() => {})
    this.failure ??= new StorageError('closed', 'sqlite storage is closed')
    await this.worker.terminate()
  }

  private run(job: Job): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure)
    const id = this.nextId++
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.worker.postMessage({ ...job, id })
    })
  }

  private fail(error: StorageError): void {
    this.failure ??= error
    for (const waiter of this.pending.values()) waiter.reject(error)
    this.pending.clear()
  }
}
