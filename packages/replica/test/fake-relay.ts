import { ErrorCode, decodeMessage, encodeMessage, type Message } from '@driftless/protocol'
import * as Y from 'yjs'
import type { SocketLike } from '../src/index.js'

/** How the fake relay treats a token. */
export interface Grant { ok: boolean; readOnly?: boolean; expiresAt?: number }

interface Conn {
  id: number
  socket: FakeSocket
  subscriptions: Set<string>
  welcomed: boolean
}

const relays = new Map<string, FakeRelay>()

/**
 * An in-memory model of the relay speaking the protocol over fake sockets. In `auto` mode frames are delivered
 * on the next task; in manual mode they wait in per-direction, per-socket FIFO queues for `deliverOne`, so a
 * seeded test decides the interleaving.
 */
export class FakeRelay {
  readonly url: string
  readonly docs = new Map<string, Y.Doc>()
  readonly conns = new Set<Conn>()
  /** Frames in flight, one FIFO per socket and direction. */
  readonly queues: Array<{ deliver: () => void; items: Array<() => void> }> = []
  up = true
  holdAcks = false
  failCommits = 0
  authorize: (token: string) => Grant = () => ({ ok: true })
  readonly received: Message[] = []
  readonly #heldAcks: Array<() => void> = []
  #nextConn = 1
  connectionsOpened = 0

  constructor(readonly auto = true, name = `fake://relay-${Math.random().toString(36).slice(2)}`) {
    this.url = name
    relays.set(name, this)
  }

  doc(docId: string): Y.Doc {
    let doc = this.docs.get(docId)
    if (!doc) this.docs.set(docId, (doc = new Y.Doc()))
    return doc
  }

  text(docId: string, name = 't'): string {
    return this.doc(docId).getText(name).toString()
  }

  /** Sends every held ack. */
  releaseAcks(): void {
    for (const send of this.#heldAcks.splice(0)) send()
  }

  /** Cuts every connection (as a crashed relay or a network cut would). */
  dropAll(code = 1006): void {
    for (const conn of [...this.conns]) conn.socket.serverClose(code)
  }

  stop(): void {
    this.up = false
    this.dropAll()
  }

  dispose(): void {
    this.stop()
    relays.delete(this.url)
  }

  /** Manual mode: delivers the head of a random non-empty queue; false when all are empty. */
  deliverOne(random: () => number): boolean {
    const ready = this.queues.filter((q) => q.items.length > 0)
    if (ready.length === 0) return false
    const queue = ready[Math.floor(random() * ready.length)]!
    queue.items.shift()!()
    return true
  }

  pendingFrames(): number {
    return this.queues.reduce((n, q) => n + q.items.length, 0)
  }

  schedule(queue: { items: Array<() => void> }, run: () => void): void {
    if (this.auto) setTimeout(run, 0)
    else queue.items.push(run)
  }

  accept(socket: FakeSocket): Conn {
    const conn: Conn = { id: this.#nextConn++, socket, subscriptions: new Set(), welcomed: false }
    this.conns.add(conn)
    this.connectionsOpened++
    return conn
  }

  receive(conn: Conn, frame: Uint8Array): void {
    const result = decodeMessage(frame)
    if (!result.ok) return conn.socket.serverClose(1002)
    const message = result.message
    this.received.push(message)
    const send = (m: Message) => conn.socket.serverSend(encodeMessage(m))
    if (!conn.welcomed && message.type !== 'hello') return conn.socket.serverClose(1002)
    switch (message.type) {
      case 'hello':
      case 'auth': {
        const grant = this.authorize(message.token)
        if (!grant.ok) {
          send({ type: 'error', docId: '', code: ErrorCode.unauthorized, message: 'bad token', ackId: 0 })
          if (message.type === 'hello') conn.socket.serverClose(4001)
          return
        }
        conn.welcomed = true
        ;(conn as Conn & { readOnly?: boolean }).readOnly = grant.readOnly ?? false
        return send({ type: 'welcome', version: 1, expiresAt: grant.expiresAt ?? 0 })
      }
      case 'subscribe': {
        conn.subscriptions.add(message.docId)
        const doc = this.doc(message.docId)
        send({ type: 'sync-step-2', docId: message.docId, update: Y.encodeStateAsUpdate(doc, message.stateVector), ackId: 0 })
        return send({ type: 'sync-step-1', docId: message.docId, stateVector: Y.encodeStateVector(doc) })
      }
      case 'unsubscribe':
        conn.subscriptions.delete(message.docId)
        return
      case 'sync-step-2':
      case 'update': {
        if (!conn.subscriptions.has(message.docId)) {
          return send({ type: 'error', docId: message.docId, code: ErrorCode.notSubscribed, message: 'subscribe first', ackId: message.ackId })
        }
        if ((conn as Conn & { readOnly?: boolean }).readOnly) {
          return send({ type: 'error', docId: message.docId, code: ErrorCode.readOnly, message: 'read only', ackId: message.ackId })
        }
        Y.applyUpdate(this.doc(message.docId), message.update)
        for (const other of this.conns) {
          if (other !== conn && other.subscriptions.has(message.docId)) {
            other.socket.serverSend(encodeMessage({ type: 'update', docId: message.docId, update: message.update, ackId: 0 }))
          }
        }
        if (message.ackId === 0) return
        if (this.failCommits > 0) {
          this.failCommits--
          return send({ type: 'error', docId: message.docId, code: ErrorCode.storageFailure, message: 'disk full', ackId: message.ackId })
        }
        const ack = () => send({ type: 'ack', docId: message.docId, ackId: message.ackId })
        if (this.holdAcks) this.#heldAcks.push(ack)
        else ack()
        return
      }
      case 'awareness':
        for (const other of this.conns) {
          if (other !== conn && other.subscriptions.has(message.docId)) other.socket.serverSend(frame)
        }
        return
      case 'ping':
        return send({ type: 'pong', nonce: message.nonce })
      default:
        return
    }
  }
}

/** The client end of a fake connection; a `WebSocket` constructor for `openReplica`. */
export class FakeSocket implements SocketLike {
  binaryType = 'arraybuffer'
  readyState = 0
  onopen: ((event: unknown) => void) | null = null
  onmessage: ((event: { data: unknown }) => void) | null = null
  onclose: ((event: { code: number; reason: string }) => void) | null = null
  onerror: ((event: unknown) => void) | null = null
  readonly #relay: FakeRelay | undefined
  #conn: ReturnType<FakeRelay['accept']> | undefined
  readonly #toServer = { deliver: () => undefined, items: [] as Array<() => void> }
  readonly #toClient = { deliver: () => undefined, items: [] as Array<() => void> }

  constructor(url: string, protocols?: string | string[]) {
    if (protocols !== 'driftless') throw new Error(`expected subprotocol driftless, got ${String(protocols)}`)
    this.#relay = relays.get(url)
    const relay = this.#relay
    if (!relay || !relay.up) {
      setTimeout(() => this.#closed(1006), 0)
      return
    }
    relay.queues.push(this.#toServer, this.#toClient)
    relay.schedule(this.#toClient, () => {
      if (this.readyState !== 0) return
      this.#conn = relay.accept(this)
      this.readyState = 1
      this.onopen?.({})
    })
  }

  send(data: Uint8Array): void {
    if (this.readyState !== 1) throw new Error('not open')
    const copy = data.slice()
    const relay = this.#relay!
    relay.schedule(this.#toServer, () => {
      if (this.#conn && relay.conns.has(this.#conn)) relay.receive(this.#conn, copy)
    })
  }

  close(code = 1000): void {
    if (this.readyState >= 2) return
    this.readyState = 2
    this.#detach()
    setTimeout(() => this.#closed(code), 0)
  }

  serverSend(frame: Uint8Array): void {
    const relay = this.#relay!
    const copy = frame.slice()
    relay.schedule(this.#toClient, () => {
      if (this.readyState === 1) this.onmessage?.({ data: copy.buffer })
    })
  }

  serverClose(code: number): void {
    if (this.readyState >= 2) return
    this.readyState = 2
    this.#detach()
    setTimeout(() => this.#closed(code), 0)
  }

  #detach(): void {
    if (this.#conn) this.#relay?.conns.delete(this.#conn)
    this.#toServer.items.length = 0
    this.#toClient.items.length = 0
  }

  #closed(code: number): void {
    this.readyState = 3
    this.onclose?.({ code, reason: '' })
  }
}
