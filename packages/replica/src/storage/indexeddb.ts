import { wrap, type DBSchema, type IDBPDatabase } from 'idb'
import type { PendingEntry, StorageAdapter, StoredDocument } from './types.js'

/** Bump with an `upgrade` step whenever the stores change shape. */
export const SCHEMA_VERSION = 1

interface DriftlessSchema extends DBSchema {
  /** Every document's update log: snapshot rows (merged by compaction) and the tail of newer updates. */
  updates: { key: number; value: { key?: number; docId: string; update: Uint8Array }; indexes: { docId: string } }
  /** Local changes not yet acknowledged by the relay, keyed by a local sequence. */
  pending: {
    key: number
    value: { key?: number; docId: string; update: Uint8Array; changes: number }
    indexes: { docId: string }
  }
}

/** Options of the IndexedDB adapter. */
export interface IndexedDbStorageOptions {
  /** Database name: one per origin, shared by every tab and document. @default 'driftless' */
  name?: string
  /** Transaction durability for writes ('strict' waits for the disk flush). @default 'strict' */
  durability?: 'strict' | 'relaxed'
  /** The IDBFactory to use (tests pass fake-indexeddb's). @default globalThis.indexedDB */
  indexedDB?: IDBFactory
}

type Db = IDBPDatabase<DriftlessSchema>

/**
 * An open that neither succeeds nor reports `blocked` within this long is taken as held (queued behind
 * another tab's blocked upgrade): storage calls fail fast until it completes, instead of hanging.
 */
const QUEUED_OPEN_MS = 3_000

/**
 * Stores documents in IndexedDB. One connection per adapter, opened lazily and reopened after it is closed
 * under us: another tab's upgrade (`versionchange`: we close at once so theirs never blocks) or Safari's
 * "Connection to Indexed Database server lost".
 */
export const createIndexedDbStorage = (options: IndexedDbStorageOptions = {}): StorageAdapter => {
  const name = options.name ?? 'driftless'
  const durability = options.durability ?? 'strict'
  /** The connection in use, or being opened. */
  let opening: Promise<Db> | undefined
  /** Our upgrade, held back by another tab's connection: the browser completes it when that tab lets go. */
  let held: Promise<Db> | undefined
  let closed = false

  const database = (): Promise<Db> => {
    if (closed) return Promise.reject(invalidState('the storage is closed'))
    if (opening) return opening
    // A second open request would queue behind the held one and hang without a `blocked` event: fail fast.
    if (held) return Promise.reject(blockedError())
    const factory = options.indexedDB ?? globalThis.indexedDB
    if (!factory) return Promise.reject(invalidState('IndexedDB is not available here'))
    let refuse!: (error: unknown) => void
    const blocked = new Promise<never>((_, reject) => { refuse = reject })
    const request = factory.open(name, SCHEMA_VERSION)
    request.onupgradeneeded = (event) => {
      if (event.oldVersion < 1) {
        for (const store of ['updates', 'pending']) {
          request.result.createObjectStore(store, { keyPath: 'key', autoIncrement: true }).createIndex('docId', 'docId')
        }
      }
    }
    // Another tab holds an older version open and does not let go: fail now (the caller retries later)
    // rather than hang every load and write behind it.
    request.onblocked = () => hold()
    const opened = wrap(request) as Promise<Db>
    const hold = () => {
      clearTimeout(silence)
      held = opened
      refuse(blockedError())
    }
    // A request queued behind another tab's blocked upgrade hears nothing at all until that one completes.
    const silence = setTimeout(hold, QUEUED_OPEN_MS)
    const attempt = Promise.race([opened, blocked])
    opening = attempt
    // A failed open is retried by the next call rather than cached.
    attempt.catch(() => forget(attempt, false))
    opened.then((db) => {
      clearTimeout(silence)
      // Closed under us (Safari's lost connection) or asked to let another tab upgrade: the next call reopens.
      const drop = () => { if (opening === attempt || opening === opened) opening = undefined }
      db.onclose = drop
      db.onversionchange = () => {
        drop()
        db.close()
      }
      // The held upgrade completes once the other tab lets go: that connection is the one to use from now on.
      if (held !== opened) return
      held = undefined
      if (closed || opening) db.close()
      else opening = opened
    }, () => {
      clearTimeout(silence)
      if (held === opened) held = undefined
    })
    return attempt
  }

  const forget = (which: Promise<Db>, closeIt: boolean) => {
    if (opening !== which) return
    opening = undefined
    if (closeIt) which.then((db) => db.close(), () => undefined)
  }

  /** Runs `work`; a connection found closed is dropped so that the next call reopens it. */
  const run = async <T>(work: (db: Db) => Promise<T>): Promise<T> => {
    const current = database()
    const db = await current
    try {
      return await work(db)
    } catch (error) {
      if (isConnectionLost(error)) forget(current, true)
      throw error
    }
  }

  return {
    load: (docId) => run(async (db): Promise<StoredDocument> => {
      const tx = db.transaction(['updates', 'pending'], 'readonly')
      const [log, pending] = await Promise.all([
        tx.objectStore('updates').index('docId').getAll(docId),
        tx.objectStore('pending').index('docId').getAll(docId),
        tx.done,
      ])
      return {
        log: log.map(({ key, update }) => ({ key: key!, update })),
        pending: pendingOf(pending),
      }
    }),
    loadPending: (docId) => run(async (db) => pendingOf(await db.getAllFromIndex('pending', 'docId', docId))),
    write: (docId, write) => run(async (db) => {
      const tx = db.transaction(['updates', 'pending'], 'readwrite', { durability })
      const pending = tx.objectStore('pending')
      const log = write.log.map((update) => tx.objectStore('updates').add({ docId, update }))
      const keys = Promise.all(write.pending.map(({ update, changes }) => pending.add({ docId, update, changes })))
      await Promise.all([...log, keys, ...write.acked.map((key) => pending.delete(key)), tx.done])
      return keys
    }),
    replace: (docId, keys, merged) => run(async (db) => {
      const tx = db.transaction('updates', 'readwrite', { durability })
      const store = tx.objectStore('updates')
      await Promise.all([...keys.map((key) => store.delete(key)), store.add({ docId, update: merged }), tx.done])
    }),
    clear: (docId) => run(async (db) => {
      const tx = db.transaction(['updates', 'pending'], 'readwrite', { durability })
      const deleteAll = async (which: 'updates' | 'pending') => {
        const store = tx.objectStore(which)
        await Promise.all((await store.index('docId').getAllKeys(docId)).map((key) => store.delete(key)))
      }
      await Promise.all([deleteAll('updates'), deleteAll('pending'), tx.done])
    }),
    async close() {
      closed = true
      const current = opening
      opening = undefined
      if (current) (await current.catch(() => undefined))?.close()
    },
  }
}

/** Stored rows as `PendingEntry`s, without the document id. */
const pendingOf = (rows: Array<DriftlessSchema['pending']['value']>): PendingEntry[] =>
  rows.map(({ key, update, changes }) => ({ key: key!, update, changes }))

const invalidState = (message: string): DOMException => new DOMException(message, 'InvalidStateError')

const blockedError = (): DOMException => invalidState('the database upgrade is blocked by another tab')

const isConnectionLost = (error: unknown): boolean => {
  const name = (error as { name?: string } | null)?.name
  const message = (error as { message?: string } | null)?.message ?? ''
  return name === 'InvalidStateError' || name === 'UnknownError' || /connection.*lost|closing/i.test(message)
}
