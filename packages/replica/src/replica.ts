import * as Y from 'yjs'
import type { HistoryFrame } from '@driftless/protocol'
import { Backoff } from './connection/backoff.js'
import type { DocPort } from './connection/multiplexer.js'
import { DocumentEdits } from './edits.js'
import { ReplicaError, toStorageError } from './errors.js'
import { Emitter } from './events.js'
import { LocalStore } from './local-store.js'
import { relayUrls, type ReplicaOptions } from './options.js'
import { PendingChanges } from './pending/changes.js'
import { presenceTap, type PresencePeer } from './presence-port.js'
import { Status } from './status.js'
import { acquireStorage } from './storage/shared.js'
import { SyncSession } from './sync.js'
import { TabChannel } from './tabs/channel.js'
import { canShareAcrossTabs, type RelayLink } from './tabs/leader.js'
import { acquireLink } from './tabs/links.js'

/**
 * Internal: how a feature kept out of the main entry point (version history, `@driftless/replica/versions`)
 * talks to the relay through a replica. Not public API: it may change in any release. A registered symbol, so
 * that it still matches when a bundler gives each entry point its own copy of this module.
 */
export const historyTap: unique symbol = Symbol.for('driftless:history-tap')

/** What a `historyTap` user hears: the relay's history messages, and that answers in flight will not come. */
export interface HistoryListener {
  message(frame: HistoryFrame): void
  offline(): void
}

/** Events of a replica, with their payloads. */
export interface ReplicaEvents {
  status(status: Status): void
  /** The number of changes on this device not yet acknowledged by the relay (the same in every tab). */
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

/**
 * A Yjs document kept in local storage, shared across tabs and synced through the relay. It assembles the
 * parts and derives the status; the data itself flows through them (see the README, "how a change travels").
 */
export class Replica {
  /** The document. Edit it freely: every transaction is stored, shared with other tabs and sent to the relay. */
  readonly doc = new Y.Doc()
  /** Resolves once local state is restored (works offline). Never rejects: storage errors go to `error`. */
  readonly loaded: Promise<void>
  /** Whether the browser granted persistent storage (`navigator.storage.persist()`); false where unsupported. */
  readonly persisted: Promise<boolean>
  readonly docId: string
  #status: Status = Status.offline
  readonly #events = new Emitter<ReplicaEvents>()
  readonly #store: LocalStore
  readonly #pending: PendingChanges
  readonly #edits: DocumentEdits
  readonly #session: SyncSession
  readonly #storage: ReturnType<typeof acquireStorage>
  readonly #channel: TabChannel | undefined
  readonly #link: RelayLink | undefined
  /** Why the replica cannot reach the relay at all (reported once loaded), if so. */
  readonly #unreachable: ReplicaError | undefined
  #port: DocPort | undefined
  readonly #history = new Set<HistoryListener>()
  #presence: PresencePeer | undefined
  #closed = false
  #deleted = false
  #wasSynced = false
  #restoreTimer: ReturnType<typeof setTimeout> | undefined

  readonly #options: ReplicaOptions

  constructor(options: ReplicaOptions) {
    this.#options = options
    this.docId = options.docId
    const share = (options.crossTab ?? true) && canShareAcrossTabs()
    const prefix = options.channelPrefix ?? 'driftless'
    this.#storage = acquireStorage(options.storage, options.databaseName ?? 'driftless', options.durability ?? 'strict')
    const adapter = this.#storage.adapter
    this.#store = new LocalStore(this.doc, adapter, this.docId, options.compactAfter ?? 500)
    this.#pending = new PendingChanges(this.doc, adapter, this.docId, this.#store)
    this.#edits = new DocumentEdits(this.doc, this.#pending, this.#store)
    const presence = (): PresencePeer | undefined => this.#presence
    this.#session = new SyncSession(this.docId, this.doc, this.#pending, this.#edits, presence)
    if (share) this.#channel = new TabChannel(`${prefix}:doc:${this.docId}`, this.doc, this.#pending, presence)
    this.#store.on('saved', () => this.#events.emit('saved'))
    this.#store.on('error', (error) => this.#events.emit('error', error))
    this.#session.on('error', (error) => this.#events.emit('error', error))
    this.#session.on('changed', () => this.#update())
    this.#pending.on('count', (count) => {
      this.#events.emit('pending', count)
      this.#update()
    })
    this.#session.on('deleted', () => void this.#onDeleted())
    const urls = relayUrls(options.relay)
    const WebSocketImpl = options.WebSocket ?? (globalThis.WebSocket as unknown as ReplicaOptions['WebSocket'])
    if (urls.length > 0 && !WebSocketImpl) {
      this.#unreachable = new ReplicaError('websocket-missing', 'no WebSocket here: pass the `WebSocket` option (Node: `ws`); the replica works locally meanwhile')
    } else if (urls.length > 0 || share) {
      this.#link = acquireLink(prefix, share, { ...options, urls, WebSocket: WebSocketImpl! })
      this.#link.on('leader', (isLeader) => this.#events.emit('leader', isLeader))
    }
    this.persisted = requestPersistence()
    this.loaded = this.#load()
  }

  /** Where the replica stands with the relay; `on('status')` tells each change. */
  get status(): Status {
    return this.#status
  }

  /** This tab holds the relay connection (always true without cross-tab sharing). */
  get isLeader(): boolean {
    return this.#link?.isLeader ?? true
  }

  /** The relay deleted this document (see the `deleted` event); the replica no longer syncs or stores it. */
  get deleted(): boolean {
    return this.#deleted
  }

  /**
   * Changes on this device not yet durably acknowledged by the relay: the same number in every tab, and
   * it survives reloads. A change is what one task did to the document (a keystroke, a drag, a loop of
   * edits), however many transactions that took.
   */
  get pending(): number {
    return this.#pending.count
  }

  /** Adds a listener; returns the function that removes it. */
  on<E extends keyof ReplicaEvents>(event: E, listener: ReplicaEvents[E]): () => void {
    return this.#events.on(event, listener)
  }

  /** Resolves once every local change made before the call is committed to local storage. */
  whenSaved(): Promise<void> {
    this.#pending.seal()
    return this.#store.whenSaved()
  }

  /** Resolves once every change pending on this device at the call is committed on the relay (acknowledged). */
  whenSynced(): Promise<void> {
    return this.#pending.whenAcknowledged()
  }

  /**
   * Internal (see `historyTap`): adds a listener for history messages; returns the way to send one, which
   * says false when the replica is not connected to the relay (nothing is queued).
   */
  [historyTap](listener: HistoryListener): (frame: HistoryFrame) => boolean {
    this.#history.add(listener)
    return (frame) => {
      if (!this.#port || this.#session.transport !== 'open') return false
      this.#port.send(frame)
      return true
    }
  }

  /**
   * Internal (see `presenceTap`): attaches presence, made by `attach` on the first call and the same object on
   * every later one. `publish` sends this tab's awareness updates to the other tabs and the relay.
   */
  [presenceTap]<Peer extends PresencePeer>(attach: (publish: (update: Uint8Array) => void) => Peer): Peer {
    if (this.#presence) return this.#presence as Peer
    const peer = attach((update) => {
      if (this.#presence !== peer) return
      this.#channel?.publishAwareness(update)
      this.#session.sendAwareness(update)
    })
    if (this.#closed) {
      peer.close()
      return peer
    }
    this.#presence = peer
    this.#channel?.askPresence()
    this.#session.askPresence()
    return peer
  }

  /** Connects to the relay (again, after `disconnect()`). */
  connect(): void {
    if (this.#closed || this.#deleted || this.#port || !this.#link || relayUrls(this.#options.relay).length === 0) return
    let port: DocPort | undefined = undefined
    port = this.#link.attach(this.docId, {
      state: (state) => {
        if (this.#port !== port) return
        this.#session.onState(state)
        if (state !== 'open') this.#historyOffline()
      },
      message: (message, store) => {
        if (this.#port !== port) return
        if (message.type !== 'history-frame') this.#session.onMessage(message, store)
        else for (const listener of this.#history) listener.message(message)
      },
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
    this.#historyOffline()
  }

  #historyOffline(): void {
    for (const listener of this.#history) listener.offline()
  }

  /** Writes what is left to local storage, leaves the relay and the other tabs, releases storage. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    clearTimeout(this.#restoreTimer)
    this.#presence?.close()
    await this.loaded
    this.#pending.seal()
    await this.#store.close()
    this.disconnect()
    this.#history.clear()
    this.#session.close()
    this.#pending.close()
    this.#channel?.close()
    this.#link?.release()
    this.#edits.close()
    this.#presence = undefined
    await this.#storage.release().catch(() => undefined)
    this.#setStatus(Status.offline)
    this.#events.clear()
  }

  async #load(): Promise<void> {
    // If storage is unavailable now, start from memory and the relay; restore in the background when it is back.
    if (!(await this.#restore())) this.#restoreLater(new Backoff({ baseMs: 500, capMs: 30_000 }))
    if (this.#closed) return
    if (this.#unreachable) this.#events.emit('error', this.#unreachable)
    this.#channel?.hello()
    if (this.#options.autoConnect ?? true) this.connect()
  }

  async #restore(): Promise<boolean> {
    try {
      const [rows] = await Promise.all([this.#store.load(), this.#pending.load()])
      this.#edits.applyFromStorage(rows)
      this.#pending.rebase()
      this.#store.rebase()
      return true
    } catch (error) {
      if (!this.#closed) this.#events.emit('error', toStorageError(error))
      return false
    }
  }

  #restoreLater(backoff: Backoff): void {
    this.#restoreTimer = setTimeout(() => {
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
    this.#edits.close()
    try {
      await this.#pending.clear()
      if (this.#options.onDeleted === 'keep') {
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

  #update(): void {
    const session = this.#session
    const status = !this.#port || session.forbidden ? Status.offline
      : session.transport === 'offline' ? Status.offline
      : session.transport === 'connecting' ? Status.connecting
      : session.synced ? Status.synced : Status.syncing
    this.#setStatus(status)
    const synced = status === Status.synced && this.#pending.count === 0
    if (synced && !this.#wasSynced) this.#events.emit('synced')
    this.#wasSynced = synced
  }

  #setStatus(status: Status): void {
    if (status === this.#status) return
    this.#status = status
    this.#events.emit('status', status)
  }
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
