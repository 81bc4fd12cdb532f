import type { DocMessage } from '@driftless/protocol'
import type { ReplicaError } from '../errors.js'
import type { ConnectionState, RelayConnection } from './socket.js'

/** What a document's sync session hears from its transport. */
export interface PortHandlers {
  /** The transport's state; each `open` means a fresh session on the relay: subscribe again. */
  state(state: ConnectionState): void
  message(message: DocMessage): void
  /** A connection-wide problem (auth, refused version). */
  error(error: ReplicaError): void
}

/** One document's way to the relay (directly, or through the leader tab). */
export interface DocPort {
  send(message: DocMessage): void
  close(): void
}

interface Client {
  docId: string
  handlers: PortHandlers
}

/**
 * Many documents (and several replicas of one document) over one connection. Ack ids are remapped so each
 * client picks its own; acks and errors naming an ack id go back to the client that sent it, everything
 * else about a document goes to every client of that document. The socket is opened for the first client
 * and closed after the last.
 */
export class Multiplexer {
  readonly #clients = new Set<Client>()
  readonly #acks = new Map<number, { client: Client; ackId: number }>()
  #nextAckId = 1
  readonly #off: Array<() => void>

  constructor(private readonly connection: RelayConnection) {
    this.#off = [
      connection.on('state', (state) => {
        if (state !== 'open') this.#acks.clear() // acks of a lost socket never come; clients resend
        for (const client of [...this.#clients]) client.handlers.state(state)
      }),
      connection.on('message', (message) => this.#route(message)),
      connection.on('error', (error) => {
        for (const client of [...this.#clients]) client.handlers.error(error)
      }),
    ]
  }

  get clients(): number {
    return this.#clients.size
  }

  attach(docId: string, handlers: PortHandlers): DocPort {
    const client: Client = { docId, handlers }
    this.#clients.add(client)
    this.connection.start()
    queueMicrotask(() => { if (this.#clients.has(client)) handlers.state(this.connection.state) })
    return {
      send: (message) => {
        if (!this.#clients.has(client)) return
        this.connection.send(this.#outgoing(client, message))
      },
      close: () => {
        if (!this.#clients.delete(client)) return
        for (const [id, owner] of this.#acks) if (owner.client === client) this.#acks.delete(id)
        if (![...this.#clients].some((c) => c.docId === docId)) this.connection.send({ type: 'unsubscribe', docId })
        if (this.#clients.size === 0) this.connection.stop()
      },
    }
  }

  destroy(): void {
    for (const off of this.#off) off()
    this.#clients.clear()
    this.connection.destroy()
  }

  #outgoing(client: Client, message: DocMessage): DocMessage {
    if ((message.type !== 'update' && message.type !== 'sync-step-2') || message.ackId === 0) return message
    const ackId = this.#nextAckId++
    this.#acks.set(ackId, { client, ackId: message.ackId })
    return { ...message, ackId }
  }

  #route(message: DocMessage): void {
    if ((message.type === 'ack' || message.type === 'error') && message.ackId > 0) {
      const owner = this.#acks.get(message.ackId)
      if (!owner) return
      this.#acks.delete(message.ackId)
      owner.client.handlers.message({ ...message, ackId: owner.ackId })
      return
    }
    for (const client of [...this.#clients]) {
      if (message.docId === '' || client.docId === message.docId) client.handlers.message(message)
    }
  }
}
