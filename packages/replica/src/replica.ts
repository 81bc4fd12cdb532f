import * as Y from 'yjs'
import { Awareness, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness'
import { Backoff } from './connection/backoff.js'
import type { DocPort } from './connection/multiplexer.js'
import { ReplicaError, toStorageError } from './errors.js'
import { Emitter } from './events.js'
import { LocalStore } from './local-store.js'
import { relayUrls, type ReplicaOptions } from './options.js'
import { PendingTracker } from './pending.js'
import { Status } from './status.js'
import { acquireStorage } from './storage/shared.js'
import { SyncSession } from './sync.js'
import { TabChannel } from './tabs/channel.js'
import { canShareAcrossTabs, type RelayLink } from './tabs/leader.js'
import { acquireLink } from './tabs/links.js'

/** Events of a replica, with their payloads. */
export interface ReplicaEvents {
  [event: string]: (...args: never[]) => void
  status(status: Status): void
  /** The number of local changes not yet acknowledged by the relay. */
  pending(pending: number): void
  /** Everything written so far is committed to local storage. */
  saved(): void
  /** The relay has committed every local change (and this replica has everything the relay had). */
  synced(): void
  error(error: ReplicaError): void
  /** This tab took (true) or lost (false) the relay connection. */
  leader(isLeader: boolean): void
  /**
   * The relay deleted the document: syncing stopped for good, pending changes were dropped and (unless
   * `onDeleted: 'keep'`) the local copy cleared. Emitted once the local storage work is done.
   */
  deleted(): void
}

/** Origins of updates the replica applies itself and must not record as local edits. */
const fromStorage = Symbol('storage')

/** A Yjs document kept in local storage, shared across tabs and synced through the relay. */
export class Replica {
  /** The document. Edit it freely: every transaction is stored, shared with other tabs and sent to the relay. */
  readonly doc = new Y.Doc()
  /** Presence (y-protocols), shared with other tabs and the relay's other clients. Never stored. */
  readonly awareness = new Awareness(this.doc)
  /** Resolves once local state is restored (works offline). Never rejects: storage errors go to `error`. */
  readonly loaded: Promise<void>
  /** Whether the browser granted persistent storage (`navigator.storage.persist()`); false where unsupported. */
  readonly persisted: Promise<boolean>
  readonly docId: string
  status: Status = Status.offline
  readonly #events = new Emitter<ReplicaEvents>()
  readonly #tracker: PendingTracker
  readonly #store: LocalStore
  readonly #session: SyncSession
  readonly #storage: ReturnType<typeof acquireStorage>
  readonly #channel: TabChannel | undefined
  readonly #link: RelayLink | undefined
  #port: DocPort | undefined
  #closed = false
  #deleted = false
  #wasSynced = false
  #restoreTimer: ReturnType<typeof setTimeout> | undefined

  constructor(private readonly options: ReplicaOptions) {
    this.docId = options.docId
    const share = (options.crossTab ?? true) && canShareAcrossTabs()
    const prefix = options.channelPrefix ?? 'driftless'
    this.#storage = acquireStorage(options.storage, options.databaseName ?? 'driftless', options.durability ?? 'strict')
    this.#tracker = new PendingTracker(this.doc, (count) => {
      this.#events.emit('pending', count)
      this.#update()
    })
    this.#store = new LocalStore(this.doc, this.#storage.adapter, this.docId, this.#tracker, {
      sealed: (change) => {
        if (change.update) this.#channel?.publishUpdate(change.update)
        this.#session.sendChange(change)
      },
      saved: () => this.#events.emit('saved'),
      error: (error) => this.#events.emit('error', error),
    }, options.compactAfter ?? 500)
    this.#session = new SyncSession(this.docId, this.doc, this.awareness, this.#tracker, {
      applyFromRelay: (update) => this.#applyFromRelay(update),
      refreshPending: () => this.#refreshPending(),
      acknowledged: (seqs) => this.#store.deletePending(this.#tracker.acknowledge(seqs)),
      changed: () => this.#update(),
      deleted: () => void this.#onDeleted(),
      error: (error) => this.#events.emit('error', error),
    })
    if (share) this.#channel = new TabChannel(`${prefix}:doc:${this.docId}`, this.doc, this.awareness)
    const urls = relayUrls(options.relay)
    const WebSocketImpl = options.WebSocket ?? (globalThis.WebSocket as unknown as ReplicaOptions['WebSocket'])
    if (urls.length > 0 && !WebSocketImpl) throw new ReplicaError('relay-rejected', 'no WebSocket here: pass the `WebSocket` option')
    if (urls.length > 0 || share) {
      this.#link = acquireLink(prefix, share, {
        urls, token: options.token, WebSocket: WebSocketImpl!, backoff: options.backoff,
        heartbeat: options.heartbeat, refreshBeforeMs: options.refreshBeforeMs,
      })
      this.#link.on('leader', (isLeader) => this.#events.emit('leader', isLeader))
    }
    this.doc.on('update', this.#onUpdate)
    this.awareness.on('update', this.#onAwareness)
    this.persisted = requestPersistence()
    this.loaded = this.#load()
  }

  /** This tab holds the relay connection (always true without cross-tab sharing). */
  get isLeader(): boolean {
    return this.#link?.isLeader ?? true
  }

  /** The relay deleted this document (see the `deleted` event); the replica no longer syncs or stores it. */
  get deleted(): boolean {
    return this.#deleted
  }

  /** Local changes not yet durably acknowledged by the relay (survives reloads). */
  get pending(): number {
    return this.#tracker.count
  }

  /** Adds a listener; returns the function that removes it. */
  on<E extends keyof ReplicaEvents>(event: E, listener: ReplicaEvents[E]): () => void {
    return this.#events.on(event, listener)
  }

  /** Resolves once every local change made before the call is committed to local storage. */
  whenSaved(): Promise<void> {
    return this.#store.whenSaved()
  }

  /** Resolves once every local change made before the call is committed on the relay (acknowledged). */
  whenSynced(): Promise<void> {
    return this.#tracker.whenAcknowledged()
  }

  /** Connects to the relay (again, after `disconnect()`). */
  connect(): void {
    if (this.#closed || this.#deleted || this.#port || !this.#link || relayUrls(this.options.relay).length === 0) return
    let port: DocPort | undefined = undefined
    port = this.#link.attach(this.docId, {
      state: (state) => { if (this.#port === port) this.#session.onState(state) },
      message: (message) => { if (this.#port === port) this.#session.onMessage(message) },
      error: (error) => { if (this.#port === port) this.#events.emit('error', error) },
    })
    this.#port = port
    this.#session.setPort(port)
  }

  /** Stops talking to the relay (this replica only; the shared socket stays for others). */
  disconnect(): void {
    const port = this.#port
    if (!port) return
    this.#port = undefined
    port.close()
    this.#session.setPort(undefined)
  }

  /** Writes what is left to local storage, leaves the relay and the other tabs, releases storage. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#restoreTimer) clearTimeout(this.#restoreTimer)
    removeAwarenessStates(this.awareness, [this.doc.clientID], 'local')
    await this.loaded
    await this.#store.close()
    this.disconnect()
    this.#session.close()
    this.#channel?.close()
    this.#link?.release()
    this.doc.off('update', this.#onUpdate)
    this.awareness.off('update', this.#onAwareness)
    this.awareness.destroy()
    await this.#storage.release().catch(() => undefined)
    this.#setStatus(Status.offline)
    this.#events.clear()
  }

  async #load(): Promise<void> {
    // If storage is unavailable now, start from memory and the relay; restore in the background when it is back.
    if (!(await this.#restore())) this.#restoreLater(new Backoff({ baseMs: 500, capMs: 30_000 }))
    if (this.#closed) return
    this.#channel?.hello()
    if (this.options.autoConnect ?? true) this.connect()
  }

  async #restore(): Promise<boolean> {
    try {
      const rows = await this.#store.load()
      // One transaction: observers see the restored document once, not row by row.
      this.doc.transact(() => {
        for (const row of rows) Y.applyUpdate(this.doc, row, fromStorage)
      }, fromStorage)
      this.#store.rebase()
      return true
    } catch (error) {
      if (!this.#closed) this.#events.emit('error', toStorageError(error))
      return false
    }
  }

  #restoreLater(backoff: Backoff): void {
    this.#restoreTimer = setTimeout(() => {
      this.#restoreTimer = undefined
      if (this.#closed) return
      void this.#restore().then((done) => { if (!done && !this.#closed) this.#restoreLater(backoff) })
    }, backoff.next() + 100)
  }

  /**
   * The relay deleted the document. Stops syncing and recording edits, drops pending changes (the relay
   * refuses them for good), then clears local storage unless told to keep it, and says so.
   */
  async #onDeleted(): Promise<void> {
    if (this.#deleted || this.#closed) return
    this.#deleted = true
    this.disconnect()
    this.doc.off('update', this.#onUpdate)
    this.#tracker.seal()
    const keys = this.#tracker.acknowledge(this.#tracker.sealed().map((change) => change.seq))
    try {
      if (this.options.onDeleted === 'keep') {
        this.#store.deletePending(keys)
        await this.#store.whenSaved()
      } else {
        // Writes still queued must land before the clear, and none may follow it.
        await this.#store.close()
        await this.#storage.adapter.clear(this.docId)
      }
    } catch (error) {
      this.#events.emit('error', toStorageError(error))
    }
    if (!this.#closed) this.#events.emit('deleted')
  }

  /** Other tabs (or a closed one) may have left pending changes in shared storage: take them in. */
  async #refreshPending(): Promise<void> {
    try {
      const adapter = this.#storage.adapter
      const pending = adapter.loadPending ? await adapter.loadPending(this.docId) : (await adapter.load(this.docId)).pending
      for (const change of this.#tracker.adopt(pending)) {
        if (change.update) Y.applyUpdate(this.doc, change.update, fromStorage)
      }
    } catch { /* storage trouble is reported by the writer; sync from memory */ }
  }

  /**
   * Applies what the relay sent and stores those very bytes. The `update` listener is off meanwhile, so Yjs
   * does not re-encode what we already hold (for a 4 MB first sync, hundreds of milliseconds). A local change
   * that an observer makes during the apply still counts: it is caught by `afterTransaction` and recorded.
   */
  #applyFromRelay(update: Uint8Array): void {
    const madeMeanwhile: Y.Transaction[] = []
    const watch = (transaction: Y.Transaction): void => {
      if (transaction.origin !== this.#session && changedAnything(transaction)) madeMeanwhile.push(transaction)
    }
    this.doc.off('update', this.#onUpdate)
    this.doc.on('afterTransaction', watch)
    try {
      Y.applyUpdate(this.doc, update, this.#session)
    } finally {
      this.doc.off('afterTransaction', watch)
      this.doc.on('update', this.#onUpdate)
    }
    this.#store.appendLog(update)
    for (const transaction of madeMeanwhile) {
      this.#onUpdate(Y.encodeStateAsUpdate(this.doc, Y.encodeStateVector(transaction.beforeState)), transaction.origin)
    }
  }

  readonly #onUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === fromStorage || origin === this.#channel) return // stored already / stored by its own tab
    if (this.#session.readOnly) {
      this.#events.emit('error', new ReplicaError('read-only', `"${this.docId}" is read-only here: the change stays local`))
    }
    this.#store.recordLocal(update)
  }

  readonly #onAwareness = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    if (origin !== 'local') return
    const update = encodeAwarenessUpdate(this.awareness, [...added, ...updated, ...removed])
    this.#channel?.publishAwareness(update)
    this.#session.sendAwareness(update)
  }

  #update(): void {
    const session = this.#session
    const status = !this.#port || session.forbidden ? Status.offline
      : session.transport === 'offline' ? Status.offline
      : session.transport === 'connecting' ? Status.connecting
      : session.synced ? Status.synced : Status.syncing
    this.#setStatus(status)
    const synced = status === Status.synced && this.#tracker.count === 0
    if (synced && !this.#wasSynced) this.#events.emit('synced')
    this.#wasSynced = synced
  }

  #setStatus(status: Status): void {
    if (status === this.status) return
    this.status = status
    this.#events.emit('status', status)
  }
}

/** Whether a transaction changed the document (what Yjs checks before emitting `update`). */
const changedAnything = (transaction: Y.Transaction): boolean => {
  if (transaction.deleteSet.clients.size > 0) return true
  for (const [client, clock] of transaction.afterState) if (transaction.beforeState.get(client) !== clock) return true
  return false
}

/** Opens a replica. Returns at once; await `replica.loaded` for the local state. */
export const openReplica = (options: ReplicaOptions): Replica => new Replica(options)

/** Asks the browser to keep this origin's storage under pressure; resolves to whether it agreed. */
export const requestPersistence = async (): Promise<boolean> => {
  try {
    const storage = globalThis.navigator?.storage
    if (!storage?.persist) return false
    return (await storage.persisted?.()) || (await storage.persist())
  } catch {
    return false
  }
}
