import { ReplicaError, type ReplicaErrorCode } from '../errors.js'
import { Emitter } from '../events.js'
import { Multiplexer, type DocPort, type PortHandlers } from '../connection/multiplexer.js'
import type { ClientDocMessage, ConnectionState, RelayConnection, RelayDocMessage } from '../connection/socket.js'

/** Per relay: the tab-wide way to it. Either this tab leads (holds the socket) or it routes through the leader. */
export interface RelayLink {
  readonly isLeader: boolean
  attach(docId: string, handlers: PortHandlers): DocPort
  on(event: 'leader', listener: (isLeader: boolean) => void): () => void
  /** Drops one reference; the last one closes the link. */
  release(): void
}

/** No Web Locks or BroadcastChannel (Node, insecure contexts): this replica connects on its own. */
export const createDirectLink = (connection: RelayConnection): RelayLink => {
  const mux = new Multiplexer(connection)
  return {
    isLeader: true,
    attach: (docId, handlers) => mux.attach(docId, handlers),
    on: () => () => undefined,
    release: () => mux.destroy(),
  }
}

type LinkMessage =
  | { k: 'leader'; tab: string }
  | { k: 'resign'; tab: string }
  | { k: 'who-leads' }
  | { k: 'attach'; from: string; port: number; docId: string }
  | { k: 'detach'; from: string; port: number }
  | { k: 'bye'; from: string }
  | { k: 'send'; from: string; port: number; message: ClientDocMessage }
  | { k: 'state'; to: string; port: number; state: ConnectionState }
  | { k: 'message'; to: string; port: number; message: RelayDocMessage; store: boolean }
  | { k: 'error'; to: string; port: number; code: ReplicaErrorCode; message: string }

interface LocalPort {
  id: number
  docId: string
  handlers: PortHandlers
  /** Set while this tab leads. */
  direct: DocPort | undefined
}

/**
 * Leader election with Web Locks: the tab holding the lock owns the one socket for every document of every
 * tab; the others send their document messages over BroadcastChannel to it and get the answers back. When
 * the leader closes or crashes, the browser releases its lock, the next tab takes it and announces itself,
 * and every tab re-attaches (then resubscribes and resends its pending changes from shared storage).
 */
export class SharedLink extends Emitter<{ leader(isLeader: boolean): void }> implements RelayLink {
  isLeader = false
  #refs = 0
  readonly #tab = Math.random().toString(36).slice(2)
  readonly #channel: BroadcastChannel
  readonly #ports = new Map<number, LocalPort>()
  #nextPort = 1
  #leaderTab: string | undefined
  #mux: Multiplexer | undefined
  readonly #remote = new Map<string, DocPort>()
  #releaseLock: (() => void) | undefined
  #closed = false
  readonly #createConnection: () => RelayConnection
  readonly #onClosed: () => void

  constructor(name: string, createConnection: () => RelayConnection, onClosed: () => void) {
    super()
    this.#createConnection = createConnection
    this.#onClosed = onClosed
    this.#channel = new BroadcastChannel(`${name}:link`)
    this.#channel.onmessage = (event: MessageEvent<LinkMessage>) => this.#receive(event.data)
    navigator.locks.request(`${name}:leader`, () => {
      if (this.#closed) return undefined
      return new Promise<void>((release) => {
        this.#releaseLock = release
        this.#lead()
      })
    }).catch(() => undefined) // the request is dropped when the page goes away
    this.#post({ k: 'who-leads' })
  }

  retain(): this {
    this.#refs++
    return this
  }

  attach(docId: string, handlers: PortHandlers): DocPort {
    const port: LocalPort = { id: this.#nextPort++, docId, handlers, direct: undefined }
    this.#ports.set(port.id, port)
    if (this.#mux) port.direct = this.#mux.attach(docId, handlers)
    else if (this.#leaderTab) this.#post({ k: 'attach', from: this.#tab, port: port.id, docId })
    else queueMicrotask(() => handlers.state('connecting'))
    return {
      send: (message) => {
        if (!this.#ports.has(port.id)) return
        if (port.direct) port.direct.send(message)
        else this.#post({ k: 'send', from: this.#tab, port: port.id, message })
      },
      close: () => {
        if (!this.#ports.delete(port.id)) return
        if (port.direct) port.direct.close()
        else this.#post({ k: 'detach', from: this.#tab, port: port.id })
      },
    }
  }

  release(): void {
    if (--this.#refs > 0) return
    this.#closed = true
    for (const port of this.#ports.values()) port.direct?.close()
    this.#ports.clear()
    if (this.isLeader) {
      for (const remote of this.#remote.values()) remote.close()
      this.#remote.clear()
      this.#mux?.destroy()
      this.#mux = undefined
      this.#post({ k: 'resign', tab: this.#tab })
    } else {
      this.#post({ k: 'bye', from: this.#tab })
    }
    this.#releaseLock?.()
    this.#channel.onmessage = null
    this.#channel.close()
    this.clear()
    this.#onClosed()
  }

  #lead(): void {
    this.isLeader = true
    this.#leaderTab = this.#tab
    this.#mux = new Multiplexer(this.#createConnection())
    for (const port of this.#ports.values()) {
      port.handlers.state('connecting')
      port.direct = this.#mux.attach(port.docId, port.handlers)
    }
    this.#post({ k: 'leader', tab: this.#tab })
    this.emit('leader', true)
  }

  #receive(message: LinkMessage): void {
    switch (message.k) {
      case 'who-leads':
        if (this.isLeader) this.#post({ k: 'leader', tab: this.#tab })
        break
      case 'leader':
        if (this.isLeader || this.#leaderTab === message.tab) break
        this.#leaderTab = message.tab
        for (const port of this.#ports.values()) {
          port.handlers.state('connecting')
          this.#post({ k: 'attach', from: this.#tab, port: port.id, docId: port.docId })
        }
        break
      case 'resign':
        if (this.#leaderTab !== message.tab) break
        this.#leaderTab = undefined
        for (const port of this.#ports.values()) port.handlers.state('connecting')
        break
      case 'state':
      case 'message':
      case 'error': {
        if (message.to !== this.#tab) break
        const port = this.#ports.get(message.port)
        if (!port || port.direct) break
        if (message.k === 'state') port.handlers.state(message.state)
        else if (message.k === 'message') port.handlers.message(message.message, message.store)
        else port.handlers.error(new ReplicaError(message.code, message.message))
        break
      }
      default:
        if (this.#mux) this.#serve(this.#mux, message)
    }
  }

  /** Leader side: a follower's port is a client of the multiplexer like any local one. */
  #serve(mux: Multiplexer, message: Extract<LinkMessage, { from: string }>): void {
    const id = 'port' in message ? `${message.from}:${message.port}` : ''
    switch (message.k) {
      case 'attach': {
        this.#remote.get(id)?.close()
        const { from: to, port } = message
        this.#remote.set(id, mux.attach(message.docId, {
          state: (state) => this.#post({ k: 'state', to, port, state }),
          message: (m, store) => this.#post({ k: 'message', to, port, message: m, store }),
          error: (e) => this.#post({ k: 'error', to, port, code: e.code, message: e.message }),
        }))
        break
      }
      case 'send':
        this.#remote.get(id)?.send(message.message)
        break
      case 'detach':
        this.#remote.get(id)?.close()
        this.#remote.delete(id)
        break
      case 'bye':
        for (const [key, remote] of this.#remote) {
          if (key.startsWith(`${message.from}:`)) {
            remote.close()
            this.#remote.delete(key)
          }
        }
        break
    }
  }

  #post(message: LinkMessage): void {
    try {
      this.#channel.postMessage(message)
    } catch { /* closing */ }
  }
}

/** True where tabs can elect a leader and talk: Web Locks and BroadcastChannel both present. */
export const canShareAcrossTabs = (): boolean =>
  typeof BroadcastChannel === 'function' && typeof globalThis.navigator?.locks?.request === 'function'
