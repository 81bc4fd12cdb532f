import {
  CloseCode, ErrorCode, PROTOCOL_VERSION, decodeRelayMessage, encodeClientMessage,
  type ClientMessage, type RelayMessage,
} from '@driftless/protocol'
import { ReplicaError, relayError } from '../errors.js'
import { Emitter } from '../events.js'
import { Backoff, type BackoffOptions } from './backoff.js'
import { Heartbeat, type HeartbeatOptions } from './heartbeat.js'

/** The part of the WebSocket API we use; the browser's and `ws`'s both fit. */
export interface SocketLike {
  binaryType: string
  readonly readyState: number
  send(data: Uint8Array): void
  close(code?: number, reason?: string): void
  onopen: ((event: unknown) => void) | null
  onmessage: ((event: { data: unknown }) => void) | null
  onclose: ((event: { code: number; reason: string }) => void) | null
  onerror: ((event: unknown) => void) | null
}
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => SocketLike

/** A token, or a function returning one (called on every connect and before expiry). */
export type TokenSource = string | (() => string | Promise<string>)

export type ConnectionState = 'offline' | 'connecting' | 'open'

/** What a client sends about one document. */
export type ClientDocMessage = Extract<ClientMessage, { docId: string }>
/** What a relay sends about one document (or the connection: an error with `docId: ''`). */
export type RelayDocMessage = Extract<RelayMessage, { docId: string }>

export interface ConnectionOptions {
  /** Relay URLs; on failure the next one is tried (failover), with the same backoff. */
  urls: readonly string[]
  token?: TokenSource | undefined
  WebSocket: WebSocketConstructor
  backoff?: BackoffOptions | undefined
  heartbeat?: HeartbeatOptions | undefined
  /** Refresh a token this long before it expires, in ms. @default 30000 (or half the lifetime if shorter) */
  refreshBeforeMs?: number | undefined
}

export interface ConnectionEvents {
  state(state: ConnectionState): void
  /** A document message, or an error (connection-wide errors have `docId: ''`). */
  message(message: RelayDocMessage): void
  error(error: ReplicaError): void
}

/**
 * One websocket to a relay (one of several URLs): hello/welcome, reconnection with exponential backoff and
 * full jitter, failover, heartbeat, in-band token refresh, and the browser's online/offline events.
 */
export class RelayConnection extends Emitter<ConnectionEvents> {
  state: ConnectionState = 'offline'
  #socket: SocketLike | undefined
  #heartbeat: Heartbeat | undefined
  #urlIndex = 0
  #wanted = false
  #opening = false
  #retryTimer: ReturnType<typeof setTimeout> | undefined
  #refreshTimer: ReturnType<typeof setTimeout> | undefined
  readonly #backoff: Backoff
  readonly #onOnline = () => { if (this.#wanted) { this.#backoff.reset(); this.#reconnectNow() } }
  readonly #onOffline = () => { this.#drop() }

  readonly #options: ConnectionOptions

  constructor(options: ConnectionOptions) {
    super()
    this.#options = options
    this.#backoff = new Backoff(options.backoff)
    globalThis.addEventListener?.('online', this.#onOnline)
    globalThis.addEventListener?.('offline', this.#onOffline)
  }

  /** The URL of the current (or next) attempt. */
  get url(): string {
    return this.#options.urls[this.#urlIndex % this.#options.urls.length] ?? ''
  }

  start(): void {
    if (this.#wanted) return
    this.#wanted = true
    this.#reconnectNow()
  }

  /** Closes the socket and stops reconnecting. */
  stop(): void {
    this.#wanted = false
    this.#clearRetry()
    this.#drop()
  }

  destroy(): void {
    this.stop()
    globalThis.removeEventListener?.('online', this.#onOnline)
    globalThis.removeEventListener?.('offline', this.#onOffline)
    this.clear()
  }

  /** Sends on the open socket; false when there is none (the caller resends after the next `open`). */
  send(message: ClientMessage): boolean {
    return this.state === 'open' && this.#sendRaw(message)
  }

  #reconnectNow(): void {
    this.#clearRetry()
    if (this.#socket || this.#opening) return
    if (globalThis.navigator?.onLine === false) return this.#setState('offline') // the `online` event resumes
    this.#opening = true
    void this.#open().finally(() => { this.#opening = false })
  }

  async #open(): Promise<void> {
    this.#setState('connecting')
    let token: string
    try {
      token = await this.#token()
    } catch (error) {
      this.emit('error', new ReplicaError('unauthorized', `could not get a token: ${String(error)}`, { cause: error }))
      return this.#retryLater()
    }
    if (!this.#wanted || this.#socket) return
    let socket: SocketLike
    try {
      socket = new this.#options.WebSocket(this.url, 'driftless')
    } catch (error) {
      this.emit('error', new ReplicaError('relay-rejected', `cannot open ${this.url}: ${String(error)}`, { cause: error }))
      return this.#retryLater()
    }
    this.#socket = socket
    socket.binaryType = 'arraybuffer'
    socket.onopen = () => {
      this.#heartbeat = new Heartbeat(this.#options.heartbeat ?? {}, (nonce) => this.#sendRaw({ type: 'ping', nonce }), () => this.#drop())
      this.#sendRaw({ type: 'hello', version: PROTOCOL_VERSION, token })
    }
    socket.onmessage = (event) => {
      if (this.#socket !== socket) return
      this.#heartbeat?.received()
      const frame = toBytes(event.data)
      if (!frame) return
      const result = decodeRelayMessage(frame)
      if (!result.ok) return // a newer relay's message we cannot read: ignore it rather than die
      const message = result.message
      if (message.type === 'welcome') {
        // Also the answer to each `auth`: the socket is open already then.
        this.#scheduleRefresh(message.expiresAt)
        this.#backoff.reset()
        this.#setState('open')
      } else if (message.type === 'error' && message.docId === '') {
        this.#connectionError(message.code, message.message)
        this.emit('message', message)
      } else if (message.type !== 'pong' && 'docId' in message) {
        this.emit('message', message)
      }
    }
    socket.onclose = (event) => {
      if (this.#socket !== socket) return
      this.#closed(event.code, event.reason)
    }
    socket.onerror = () => { /* onclose follows with the reason */ }
  }

  /** Sends on the socket, open or not yet welcomed; false when there is none or it refused (its close event follows). */
  #sendRaw(message: ClientMessage): boolean {
    if (!this.#socket) return false
    try {
      this.#socket.send(encodeClientMessage(message))
      this.#heartbeat?.sent()
      return true
    } catch {
      return false
    }
  }

  #connectionError(code: number, text: string): void {
    if (code === ErrorCode.tokenExpired) return void this.#refresh()
    // Busy on the connection (rate limit, storage) names no update and asks nothing of the app.
    const error = relayError(code, text)
    if (error.code !== 'relay-busy') this.emit('error', error)
  }

  #closed(code: number, reason: string): void {
    this.#teardown()
    if (!this.#wanted) return this.#setState('offline')
    if (code === CloseCode.unsupportedVersion) {
      this.emit('error', new ReplicaError('relay-rejected', `the relay does not speak protocol ${PROTOCOL_VERSION}: ${reason}`))
      this.#wanted = false
      return this.#setState('offline')
    }
    if (code === CloseCode.unauthorized || code === CloseCode.tokenExpired) {
      this.emit('error', new ReplicaError('unauthorized', `the relay closed the connection (${code}): ${reason}`))
      if (typeof this.#options.token !== 'function') {
        // The same string would be refused again; wait for `connect()`.
        this.#wanted = false
        return this.#setState('offline')
      }
    }
    this.#urlIndex = (this.#urlIndex + 1) % Math.max(1, this.#options.urls.length)
    this.#retryLater()
  }

  /** Forgets the socket now, without waiting for a close handshake a dead network would never finish. */
  #drop(): void {
    const socket = this.#socket
    if (!socket) return
    this.#teardown()
    try { socket.close(1000) } catch { /* already closed */ }
    this.#retryLater()
  }

  #teardown(): void {
    const socket = this.#socket
    if (socket) socket.onopen = socket.onmessage = socket.onclose = null
    this.#socket = undefined
    this.#heartbeat?.stop()
    this.#heartbeat = undefined
    clearTimeout(this.#refreshTimer)
  }

  /** Offline now; back with backoff if the connection is still wanted. */
  #retryLater(): void {
    this.#setState('offline')
    if (!this.#wanted || this.#retryTimer) return
    if (globalThis.navigator?.onLine === false) return
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined
      this.#reconnectNow()
    }, this.#backoff.next())
  }

  #scheduleRefresh(expiresAt: number): void {
    clearTimeout(this.#refreshTimer)
    if (expiresAt === 0 || typeof this.#options.token !== 'function') return
    const lifetime = expiresAt * 1000 - Date.now()
    const before = Math.min(this.#options.refreshBeforeMs ?? 30_000, lifetime / 2)
    this.#refreshTimer = setTimeout(() => void this.#refresh(), Math.max(0, lifetime - before))
  }

  async #refresh(): Promise<void> {
    try {
      const token = await this.#token()
      if (this.state === 'open') this.#sendRaw({ type: 'auth', token })
    } catch (error) {
      this.emit('error', new ReplicaError('unauthorized', `could not refresh the token: ${String(error)}`, { cause: error }))
    }
  }

  async #token(): Promise<string> {
    const source = this.#options.token
    if (source === undefined) return ''
    return typeof source === 'function' ? await source() : source
  }

  #clearRetry(): void {
    clearTimeout(this.#retryTimer)
    this.#retryTimer = undefined
  }

  #setState(state: ConnectionState): void {
    if (state === this.state) return
    this.state = state
    this.emit('state', state)
  }
}

/** A binary frame's bytes; undefined for anything else (text frames, which the relay never sends). */
const toBytes = (data: unknown): Uint8Array | undefined =>
  data instanceof ArrayBuffer ? new Uint8Array(data) : data instanceof Uint8Array ? data : undefined
