import { decodeMessage, encodeMessage, PROTOCOL_VERSION, type Message } from '@driftless/protocol'
import WebSocket from 'ws'
import * as Y from 'yjs'

/**
 * A minimal Driftless client for the kit's own tests: one document, speaks the wire protocol directly,
 * reconnects every 100 ms while its socket is down, and reports acknowledgements, so a test can tell
 * exactly which updates the relay has committed.
 */
export class WireClient {
  readonly doc = new Y.Doc()
  readonly text = this.doc.getText('t')
  private socket: WebSocket | undefined
  private closed = false
  private nextAckId = 1
  private readonly waiting = new Map<number, Array<() => void>>()
  /** Resolvers of edits made while no socket was open: acknowledged with the next catch-up (sync step 2). */
  private unsent: Array<() => void> = []
  private lastAckId = 0
  connected = false

  constructor(
    private readonly url: string,
    private readonly docId: string,
  ) {
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === this) return
      if (this.connected) this.send({ type: 'update', docId, update, ackId: this.ackId() })
      else this.lastAckId = 0
    })
    this.open()
  }

  /** Inserts `word` at the end of the shared text; resolves when the relay acknowledges the commit. */
  append(word: string): Promise<void> {
    this.text.insert(this.text.length, word)
    return new Promise<void>((resolve) => {
      if (this.lastAckId > 0) this.waiting.set(this.lastAckId, [...(this.waiting.get(this.lastAckId) ?? []), resolve])
      else this.unsent.push(resolve)
    })
  }

  close(): void {
    this.closed = true
    this.socket?.terminate()
  }

  private ackId(): number {
    this.lastAckId = this.nextAckId++
    return this.lastAckId
  }

  private send(message: Message): void {
    this.socket?.send(encodeMessage(message))
  }

  private open(): void {
    if (this.closed) return
    const socket = new WebSocket(this.url, 'driftless')
    this.socket = socket
    socket.binaryType = 'nodebuffer'
    socket.on('open', () => {
      socket.send(encodeMessage({ type: 'hello', version: PROTOCOL_VERSION, token: '' }))
      socket.send(encodeMessage({ type: 'subscribe', docId: this.docId, stateVector: Y.encodeStateVector(this.doc) }))
      this.connected = true
    })
    socket.on('message', (data: Buffer) => this.receive(new Uint8Array(data)))
    socket.on('error', () => {})
    socket.on('close', () => {
      this.connected = false
      this.lastAckId = 0
      if (!this.closed) setTimeout(() => this.open(), 100)
    })
  }

  private receive(frame: Uint8Array): void {
    const decoded = decodeMessage(frame)
    if (!decoded.ok) return
    const message = decoded.message
    if (message.type === 'sync-step-2' || message.type === 'update') Y.applyUpdate(this.doc, message.update, this)
    else if (message.type === 'sync-step-1') {
      const update = Y.encodeStateAsUpdate(this.doc, message.stateVector)
      const ackId = this.ackId()
      this.waiting.set(ackId, [...(this.waiting.get(ackId) ?? []), ...this.unsent])
      this.unsent = []
      this.send({ type: 'sync-step-2', docId: this.docId, update, ackId })
    } else if (message.type === 'ack') {
      for (const resolve of this.waiting.get(message.ackId) ?? []) resolve()
      this.waiting.delete(message.ackId)
    }
  }
}
